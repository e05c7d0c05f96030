"""The answer engine behind assistant.pipeline, one small module per job.

- ``text``       sentences, content terms, document frequencies
- ``tokens``     conservative token estimate (no tokenizer download)
- ``prompting``  task templates from prompts/tasks/*.yaml, passage blocks, token budget
- ``relevance``  the abstention score and its calibrated threshold
- ``citations``  [n] markers: remove invented ones, score each cited sentence's support
- ``offline``    the honest offline engine (quotes, key sentences, rule-based extraction)
- ``followup``   standalone queries from the chat history
"""

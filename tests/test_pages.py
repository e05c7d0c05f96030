"""Pages: printed page numbers and running headers/footers leave PDF text before chunking, and a quoted
sentence is cited on the page it is printed on, also when its article (or the sentence) runs across a page break."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer import citations
from assistant.chunking import Chunker, page_at
from assistant.loaders import load_bytes, load_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHIPPED_PDFS = sorted(p.name for p in CORPUS.glob("*.pdf"))
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")

PAGES = [
    ["Tài liệu mẫu phục vụ thực hành — không phải văn bản chính thức.",
     "QUY CHẾ THỬ NGHIỆM",
     "Điều 1. Phạm vi điều chỉnh",
     "Quy chế này quy định việc tiếp nhận hồ sơ tại bộ phận một cửa.",
     "Điều 2. Tiếp nhận hồ sơ",
     "1. Hồ sơ nộp trực tiếp được kiểm tra ngay khi tiếp nhận."],
    ["2. Hồ sơ nộp trực tuyến được công chức kiểm tra trong thời hạn 04 giờ làm việc kể từ khi hệ thống ghi nhận.",
     "3. Hồ sơ quá hạn do lỗi của công chức được tính vào kết quả đánh giá,"],
    ["xếp loại công chức cuối năm.",
     "Điều 3. Lưu trữ",
     "Hồ sơ điện tử được lưu trên hệ thống trong thời hạn 10 năm."],
]


def _pdf(pages=PAGES) -> bytes:
    """A PDF with a running header on every page, the page number at the top of pages 2+ and "Trang n/N" at the bottom."""
    from fpdf import FPDF

    class Doc(FPDF):
        def header(self):
            self.set_font("Serif", size=10)
            self.cell(0, 6, "Quy chế thử nghiệm số 01/2025/QC-UBND", new_x="LMARGIN", new_y="NEXT")
            if self.page_no() > 1:
                self.cell(0, 6, str(self.page_no()), align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_font("Serif", size=12)

        def footer(self):
            self.set_y(-15)
            self.set_font("Serif", size=9)
            self.cell(0, 6, f"Trang {self.page_no()}/{len(pages)}", align="C")

    pdf = Doc(format="A4")
    pdf.add_font("Serif", "", str(FONT))
    pdf.set_creation_date(__import__("datetime").datetime(2025, 1, 1, tzinfo=__import__("datetime").timezone.utc))
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def chunker(embedder):
    return Chunker(embedder.count_tokens_batch, max_tokens=embedder.max_tokens)


@pytest.mark.skipif(not FONT.is_file(), reason="needs the DejaVu Serif font to write a Vietnamese PDF")
def test_page_numbers_and_running_headers_and_footers_are_removed():
    doc = load_bytes(_pdf(), "qc.pdf")
    text = doc.text
    assert "Quy chế thử nghiệm số 01/2025/QC-UBND" not in text  # a running header (on every page)
    assert "Trang" not in text  # "Trang 2/3" footers
    for p in doc.pages[1:]:
        assert p.text.split("\n")[0].strip() != str(p.number)
    # the content stays, on its own page
    assert "04 giờ làm việc" in doc.pages[1].text and "xếp loại công chức cuối năm." in doc.pages[2].text
    assert "Tài liệu mẫu phục vụ thực hành" in doc.pages[0].text  # printed once: not a running header


@pytest.mark.skipif(not FONT.is_file(), reason="needs the DejaVu Serif font to write a Vietnamese PDF")
def test_a_sentence_is_cited_on_the_page_it_is_printed_on(chunker):
    doc = load_bytes(_pdf(), "qc.pdf")
    chunks = [c for c in chunker.chunk(doc) if c.metadata["article"] == "2"]
    assert chunks and chunks[0].metadata["page"] == 1  # the article starts on page 1 ...

    class Hit:
        def __init__(self, c):
            self.metadata, self.text, self.chunk_id = c.metadata, c.text, c.metadata["chunk_id"]
            self.source, self.title, self.article = "qc.pdf", doc.title, "2"
            self.breadcrumb, self.page = c.metadata["breadcrumb"], c.metadata["page"] or None
            self.passage = c.text.split("\n", 1)[1]

    hit = Hit(next(c for c in chunks if "04 giờ" in c.text))
    # ... its clause 2 is printed on page 2, and clause 3 starts on page 2 and ends on page 3
    on2 = "- “Hồ sơ nộp trực tuyến được công chức kiểm tra trong thời hạn 04 giờ làm việc kể từ khi hệ thống ghi nhận.” [1]"
    across = "- “Hồ sơ quá hạn do lỗi của công chức được tính vào kết quả đánh giá, xếp loại công chức cuối năm.” [1]"
    assert citations.check(on2, [hit]).citations[0]["page"] == 2
    assert citations.check(across, [hit]).citations[0]["page"] == 2
    head = "- “Hồ sơ nộp trực tiếp được kiểm tra ngay khi tiếp nhận.” [1]"
    if "trực tiếp" in hit.passage:
        assert citations.check(head, [hit]).citations[0]["page"] == 1
    # page_at reads the map: the first character is on the chunk's first page, the last on its last
    assert page_at(hit.metadata, 0) == hit.metadata["page"]
    assert page_at(hit.metadata, len(hit.passage) - 1) == hit.metadata["page_end"]


@pytest.mark.parametrize("name", SHIPPED_PDFS)
def test_no_page_number_artefact_in_any_chunk_of_the_shipped_pdfs(name, chunker):
    from pypdf import PdfReader

    raw = [p.extract_text() or "" for p in PdfReader(CORPUS / name).pages]
    printed = [n for n, t in enumerate(raw, start=1) if n > 1 and t.strip().split("\n")[0].strip() == str(n)]
    assert printed, f"{name}: expected printed page numbers in the raw PDF text (the test would prove nothing)"
    doc = load_file(CORPUS / name, CORPUS)
    for p in doc.pages:
        assert p.text.strip().split("\n")[0].strip() != str(p.number), (name, p.number)
    for c in chunker.chunk(doc):
        flat = " ".join(c.text.split())
        # a page number between a sentence end and the next clause ("tin nhắn. 3 4. Hồ sơ", "11 giờ 30. 2 3. Tại")
        assert not re.search(r"[.;:,]\s(\d{1,2})\s(?:\d{1,2}\.\s|[a-zđ]\)\s|Điều\s)", flat), (name, flat[:200])
        assert "tin nhắn. 3 4." not in flat and "11 giờ 30. 2" not in flat


def test_shipped_pdf_quote_on_a_later_page_than_its_chunk(chunker):
    """One-stop-shop regulation, Article 6: the chunk starts on page 2, clause 4 is printed on page 3."""
    doc = load_file(CORPUS / "mot-cua-lien-thong.pdf", CORPUS)
    chunk = next(c for c in chunker.chunk(doc) if "08 giờ làm việc" in " ".join(c.text.split()) and c.metadata["article"] == "6")
    passage = chunk.text.split("\n", 1)[1]
    start = re.search(r"Hồ\s+sơ\s+trực\s+tuyến\s+phải\s+được\s+công\s+chức\s+kiểm\s+tra", passage).start()
    assert chunk.metadata["page"] == 2 and page_at(chunk.metadata, start) == 3


def test_quote_page_through_the_pipeline(corpus_index, retriever):
    from assistant.pipeline import Pipeline, Request

    settings, _ = corpus_index
    res = Pipeline(settings, retriever=retriever).run(Request("Hồ sơ nộp trực tuyến phải được kiểm tra trong bao lâu?", lang="vi"))
    assert "08 giờ làm việc" in res.answer
    cited = [c for c in res.citations if c["source"] == "mot-cua-lien-thong.pdf" and c["article"] == "6"]
    assert cited and cited[0]["page"] == 3, res.citations

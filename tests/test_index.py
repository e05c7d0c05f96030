"""Indexing: incremental (add, change, delete, unchanged), crash safety, bad files, model mismatch, search."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from assistant.indexer import run_index
from assistant.lexical import LexicalIndex, fingerprint
from assistant.retrieval import Retriever
from assistant.store import ModelMismatch, VectorStore

ROOT = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "fixtures" / "files"

DOC_A = """ỦY BAN NHÂN DÂN PHƯỜNG THỬ NGHIỆM
Số: 01/QĐ-UBND
QUYẾT ĐỊNH
Về lịch tiếp công dân

Điều 1. Lịch tiếp công dân
Chủ tịch phường tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở.

Điều 2. Địa điểm
Phòng tiếp công dân đặt tại tầng 1 nhà B.
"""
DOC_B = """SỞ NỘI VỤ THỬ NGHIỆM
Số: 02/HD-SNV
HƯỚNG DẪN
Về phông chữ văn bản

Điều 1. Phông chữ
Văn bản hành chính dùng phông chữ Times New Roman, cỡ chữ 13 đến 14.

Điều 2. Khổ giấy
Văn bản trình bày trên khổ giấy A4.
"""


def _corpus(tmp_path: Path) -> Path:
    c = tmp_path / "corpus"
    (c / "sub").mkdir(parents=True)
    (c / "a.md").write_text(DOC_A, encoding="utf-8")
    (c / "sub" / "b.txt").write_text(DOC_B, encoding="utf-8")
    shutil.copy(FILES / "quyet-dinh.pdf", c / "quyet-dinh.pdf")
    shutil.copy(FILES / "huong-dan.docx", c / "huong-dan.docx")
    return c


def _state(settings, embedder):
    store = VectorStore(settings, embedder)
    ids, metas, _ = store.all_metadata()
    return ids, metas


def _assert_consistent(settings, embedder, expected_sources):
    ids, metas = _state(settings, embedder)
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    per_file = Counter((m["source"], m["file_hash"]) for m in metas)
    assert {s for s, _ in per_file} == set(expected_sources), "orphan or missing sources"
    for (source, h), n in per_file.items():
        want = {m["n_chunks"] for m in metas if m["source"] == source}
        assert want == {n}, f"{source}: {n} chunks stored, expected {want}"
        assert sum(1 for s, _ in per_file if s == source) == 1, f"{source}: several versions stored"
    assert LexicalIndex.stored_fingerprint(settings.store_dir) == fingerprint(ids), "lexical index out of date"
    return ids, metas


def test_incremental_add_change_delete_unchanged(tmp_path, make_settings, embedder):
    corpus = _corpus(tmp_path)
    s = make_settings(corpus_dir=str(corpus))
    r1 = run_index(s, embedder=embedder)
    assert (r1.indexed, r1.unchanged, r1.removed, r1.failed) == (4, 0, 0, 0)
    ids1, _ = _assert_consistent(s, embedder, {"a.md", "sub/b.txt", "quyet-dinh.pdf", "huong-dan.docx"})
    assert r1.chunks == len(ids1)

    r2 = run_index(s, embedder=embedder)
    assert (r2.indexed, r2.unchanged, r2.removed) == (0, 4, 0)
    assert _state(s, embedder)[0] == ids1

    (corpus / "a.md").write_text(DOC_A.replace("thứ Năm", "thứ Ba"), encoding="utf-8")
    (corpus / "sub" / "b.txt").unlink()
    (corpus / "c.md").write_text(DOC_B.replace("Times New Roman", "Arial"), encoding="utf-8")
    r3 = run_index(s, embedder=embedder)
    assert (r3.indexed, r3.unchanged, r3.removed) == (2, 2, 1)
    ids3, metas3 = _assert_consistent(s, embedder, {"a.md", "c.md", "quyet-dinh.pdf", "huong-dan.docx"})
    texts = " ".join(LexicalIndex.load(s.store_dir).texts)
    assert "thứ Ba" in texts and "thứ Năm" not in texts and "Arial" in texts

    retr = Retriever(s, embedder=embedder)
    hits = retr.search("lịch tiếp công dân thứ mấy", k=1)
    assert hits[0].source == "a.md" and "thứ Ba" in hits[0].text


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path, make_settings, embedder):
    corpus = _corpus(tmp_path)
    (corpus / "rong.txt").write_bytes(b"")
    (corpus / "hong.pdf").write_bytes(b"%PDF-1.4 broken")
    shutil.copy(FILES / "encrypted.pdf", corpus / "khoa.pdf")
    shutil.copy(FILES / "scanned.pdf", corpus / "scan.pdf")
    (corpus / "anh.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (corpus / "nhi-phan.md").write_bytes(bytes(range(256)) * 4)
    (corpus / "lon.txt").write_bytes(b"x " * (600 * 1024))
    (corpus / "utf16.txt").write_bytes("Điều 1. Văn bản mã hóa UTF-16 đọc được.\nĐiều 2. Hết.".encode("utf-16"))
    s = make_settings(corpus_dir=str(corpus), max_file_mb=1.0)
    r = run_index(s, embedder=embedder)
    codes = {e["path"]: e["code"] for e in r.errors}
    assert codes == {"rong.txt": "empty", "hong.pdf": "pdf_corrupt", "khoa.pdf": "pdf_encrypted",
                     "scan.pdf": "pdf_scanned", "anh.png": "unsupported", "nhi-phan.md": "binary",
                     "lon.txt": "too_large"}
    assert r.failed == 7 and r.indexed == 5 and r.exit_code == 3
    assert all(e["error"] and "{" not in e["error"] for e in r.errors)
    _assert_consistent(s, embedder, {"a.md", "sub/b.txt", "quyet-dinh.pdf", "huong-dan.docx", "utf16.txt"})


def test_a_file_that_breaks_loses_its_old_chunks_only(tmp_path, make_settings, embedder):
    corpus = _corpus(tmp_path)
    s = make_settings(corpus_dir=str(corpus))
    run_index(s, embedder=embedder)
    (corpus / "a.md").write_bytes(b"")
    r = run_index(s, embedder=embedder)
    assert r.failed == 1 and r.unchanged == 3
    _assert_consistent(s, embedder, {"sub/b.txt", "quyet-dinh.pdf", "huong-dan.docx"})


def _cli(args, env_extra=None, cwd=ROOT):
    env = dict(os.environ, HF_HUB_OFFLINE="1", **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["after_delete", "mid_upsert", "after_file", "before_lexical"])
def test_killed_mid_run_then_rerun_leaves_no_duplicate_or_orphan(tmp_path, make_settings, embedder, point):
    corpus = _corpus(tmp_path)
    # a big file so that one file's chunks are written in several batches (mid_upsert)
    (corpus / "dai.md").write_text("QUYẾT ĐỊNH\nVề thử nghiệm\n\n" + "\n\n".join(
        f"Điều {i}. Quy định số {i}\nNội dung riêng của điều {i} về hồ sơ." for i in range(1, 90)), encoding="utf-8")
    s = make_settings(corpus_dir=str(corpus))
    run_index(s, embedder=embedder)  # a first complete index
    # change two files so the killed run has real work: replace and add
    (corpus / "dai.md").write_text((corpus / "dai.md").read_text(encoding="utf-8").replace("hồ sơ", "hồ sơ điện tử"), encoding="utf-8")
    (corpus / "moi.md").write_text(DOC_B.replace("A4", "A5"), encoding="utf-8")
    (corpus / "a.md").unlink()
    args = ["index", "--corpus", str(corpus), "--store", s.store_dir, "--json"]
    killed = _cli(args, {"ASSISTANT_CRASH_AT": point})
    assert killed.returncode == -9, killed.stderr[-2000:]
    done = _cli(args)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    ids, metas = _assert_consistent(s, embedder, {"sub/b.txt", "quyet-dinh.pdf", "huong-dan.docx", "dai.md", "moi.md"})
    assert out["chunks"] == len(ids)
    dai = [m for m in metas if m["source"] == "dai.md"]
    assert len(dai) == dai[0]["n_chunks"] >= 89
    texts = LexicalIndex.load(s.store_dir).texts
    assert sum("hồ sơ điện tử" in t for t in texts) >= 89
    # and a clean index from scratch has exactly the same chunk ids
    s2 = make_settings(corpus_dir=str(corpus), store_dir=str(tmp_path / "clean"))
    run_index(s2, embedder=embedder)
    assert sorted(_state(s2, embedder)[0]) == sorted(ids)


def test_model_mismatch_is_a_clear_error(tmp_path, make_settings, embedder):
    corpus = _corpus(tmp_path)
    s = make_settings(corpus_dir=str(corpus))
    run_index(s, embedder=embedder)

    class Other:
        name = "some-other-model"

    with pytest.raises(ModelMismatch) as err:
        VectorStore(s, Other())
    vi, en = err.value.message("vi"), err.value.message("en")
    assert "some-other-model" in en and "multilingual-e5-small" in en and "--rebuild" in en
    assert "lập lại chỉ mục" in vi


def test_cli_index_json_and_exit_codes(tmp_path):
    corpus = _corpus(tmp_path)
    store = tmp_path / "store"
    r = _cli(["index", "--corpus", str(corpus), "--store", str(store), "--json"])
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert set(out) == {"indexed", "unchanged", "removed", "failed", "chunks", "seconds", "errors"}
    assert out["indexed"] == 4 and out["failed"] == 0 and out["chunks"] > 4
    (corpus / "rong.md").write_bytes(b"")
    r = _cli(["index", "--corpus", str(corpus), "--store", str(store), "--json"])
    assert r.returncode == 3
    out = json.loads(r.stdout)
    assert out["indexed"] == 0 and out["unchanged"] == 4 and out["failed"] == 1
    assert out["errors"][0]["path"] == "rong.md" and out["errors"][0]["error"]
    # fatal: the corpus folder does not exist
    r = _cli(["index", "--corpus", str(tmp_path / "khong-co"), "--store", str(store), "--json"])
    assert r.returncode == 1
    # search, one query and a batch
    r = _cli(["search", "phong chu van ban", "--store", str(store), "--json", "-k", "3"])
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads(r.stdout)
    assert set(res) == {"id", "ms", "hits"}
    hit = res["hits"][0]
    assert {"rank", "score", "source", "title", "article", "page", "chunk_id", "text"} <= set(hit)
    assert hit["source"] == "sub/b.txt" and hit["article"] == "1"
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "q1", "text": "thời hạn kiểm tra hồ sơ trực tuyến"}\n{"id": "q2", "text": "kho giay A4"}\n', encoding="utf-8")
    r = _cli(["search", "--batch", str(batch), "--store", str(store), "-k", "2"])
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["q1", "q2"]
    assert lines[0]["hits"][0]["source"] == "quyet-dinh.pdf" and lines[0]["hits"][0]["page"] == 2
    assert lines[0]["hits"][0]["article"] == "3"
    assert all(x["ms"] < 5000 for x in lines)


def test_every_command_has_help():
    from assistant.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert {"index", "search", "eval"} <= set(sub.choices)
    for name, p in sub.choices.items():
        assert p.format_help().strip(), name

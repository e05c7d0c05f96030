"""The legal chunker: articles, chapters, pages, breadcrumbs, long-article splitting, token limits."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.chunking import Chunker, passage
from assistant.loaders import load_bytes, load_file

FILES = Path(__file__).resolve().parent / "fixtures" / "files"

LEGAL_MD = """> Tài liệu mẫu phục vụ thực hành.

ỦY BAN NHÂN DÂN THÀNH PHỐ THỬ NGHIỆM

Số: 12/2025/QĐ-UBND

Thử Nghiệm, ngày 05 tháng 3 năm 2025

QUYẾT ĐỊNH

Về tiếp nhận hồ sơ

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;

## Phần thứ nhất
NHỮNG QUY ĐỊNH CHUNG

## Chương I
QUY ĐỊNH CHUNG

### Điều 1. Phạm vi điều chỉnh
Quyết định này quy định việc tiếp nhận hồ sơ.

## Chương II
TIẾP NHẬN

### Mục 1. TIẾP NHẬN TRỰC TIẾP

### Điều 2. Thời hạn
1. Hồ sơ được kiểm tra trong ngày.
2. Hồ sơ thiếu được trả lại kèm hướng dẫn:
a) ghi rõ giấy tờ còn thiếu;
b) ký xác nhận của công chức.

Nơi nhận:
- Như Điều 2;
- Lưu: VT.
"""


@pytest.fixture(scope="module")
def chunker(embedder):
    return Chunker(embedder.count_tokens_batch, max_tokens=embedder.max_tokens)


def _md(text, name="qd.md"):
    return load_bytes(text.encode("utf-8"), name)


def test_articles_chapters_and_breadcrumbs(chunker):
    chunks = chunker.chunk(_md(LEGAL_MD))
    by_article = {c.metadata["article"]: c for c in chunks if c.metadata["article"]}
    assert set(by_article) == {"1", "2"}
    a1, a2 = by_article["1"], by_article["2"]
    assert a1.metadata["chapter"] == "I" and a2.metadata["chapter"] == "II"
    assert a1.metadata["chapter_title"] == "QUY ĐỊNH CHUNG"
    assert a2.metadata["section"] == "1"
    assert a1.metadata["breadcrumb"] == "Quyết định 12/2025/QĐ-UBND › Phần thứ nhất › Chương I › Điều 1"
    assert a2.metadata["breadcrumb"] == "Quyết định 12/2025/QĐ-UBND › Phần thứ nhất › Chương II › Mục 1 › Điều 2"
    assert a2.metadata["article_title"] == "Thời hạn"
    assert "a) ghi rõ giấy tờ còn thiếu;" in a2.text  # points stay with their clause
    assert a1.text.startswith(a1.metadata["breadcrumb"] + "\n")
    assert passage(a1.text).startswith("Điều 1. Phạm vi điều chỉnh")
    # preamble and closing are chunks too, not glued to an article
    kinds = [c.metadata["kind"] for c in chunks]
    assert kinds[0] == "preamble" and kinds[-1] == "closing"
    assert "Căn cứ Luật" in chunks[0].text
    assert "Lưu: VT" not in a2.text


def test_pdf_chunks_carry_pages(chunker):
    doc = load_file(FILES / "quyet-dinh.pdf", FILES)
    chunks = chunker.chunk(doc)
    pages = {c.metadata["article"]: c.metadata["page"] for c in chunks if c.metadata["article"]}
    assert pages == {"1": 1, "2": 1, "3": 2, "4": 2, "5": 3}
    a3 = next(c for c in chunks if c.metadata["article"] == "3")
    assert a3.metadata["breadcrumb"] == "Quyết định 07/2024/QĐ-UBND › Chương II › Điều 3"


def test_docx_articles(chunker):
    chunks = chunker.chunk(load_file(FILES / "huong-dan.docx", FILES))
    arts = [c.metadata["article"] for c in chunks if c.metadata["article"]]
    assert arts == ["1", "2", "3"]
    a2 = next(c for c in chunks if c.metadata["article"] == "2")
    assert "Sổ đăng ký văn bản đến | 20 năm" in a2.text


def test_english_articles(chunker):
    text = "SAMPLE REGULATION\n\nChapter I\nGENERAL\n\nArticle 1. Scope\nThis applies to all staff.\n\nArticle 2. Approval\n1. Tools must be approved.\n2. Outputs are reviewed.\n"
    chunks = chunker.chunk(_md(text, "en/reg.md"))
    arts = {c.metadata["article"]: c for c in chunks if c.metadata["article"]}
    assert set(arts) == {"1", "2"}
    assert arts["2"].metadata["breadcrumb"].endswith("Chapter I › Article 2")


def test_long_article_split_by_clause_with_heading_carried(chunker, embedder):
    clauses = "\n".join(
        f"{i}. Công chức tại bộ phận một cửa có trách nhiệm kiểm tra thành phần hồ sơ số {i}, đối chiếu bản chính, "
        f"ghi sổ theo dõi, cập nhật lên hệ thống thông tin giải quyết thủ tục hành chính và hẹn ngày trả kết quả cho người dân."
        for i in range(1, 31)  # long enough for three pieces with any model (MiniLM 256 tokens, e5 512)
    )
    text = f"QUYẾT ĐỊNH\nVề thử nghiệm\n\nChương I\nCHUNG\n\nĐiều 7. Trách nhiệm của công chức\n{clauses}\n\nĐiều 8. Hiệu lực\nCó hiệu lực từ ngày ký.\n"
    chunks = chunker.chunk(_md(text))
    pieces = [c for c in chunks if c.metadata["article"] == "7"]
    assert len(pieces) >= 3
    for i, c in enumerate(pieces):
        body = passage(c.text)
        assert body.startswith("Điều 7. Trách nhiệm của công chức")  # heading carried into every piece
        if i:
            assert "(tiếp theo)" in body.split("\n")[0]
        assert embedder.count_tokens(c.text) <= embedder.max_tokens
    # clauses are never cut: every clause appears whole in exactly one piece
    for i in range(1, 31):
        holders = [c for c in pieces if f"\n{i}. Công chức" in c.text]
        assert len(holders) == 1
        assert f"hồ sơ số {i}, đối chiếu" in holders[0].text
    assert pieces[0].metadata["clause"].startswith("1-")


def test_no_chunk_exceeds_the_model_limit(chunker, embedder):
    one_huge_paragraph = "Điều 1. Dài\n" + " ".join(["quy định chi tiết về hồ sơ điện tử"] * 600)
    chunks = chunker.chunk(_md("QUYẾT ĐỊNH\nVề x\n\n" + one_huge_paragraph + "\n\nĐiều 2. Ngắn\nNội dung.\n"))
    assert len(chunks) > 5
    for c in chunks:
        assert embedder.count_tokens(c.text) <= embedder.max_tokens
    # nothing lost: every word of the input is in some chunk
    assert sum(passage(c.text).split().count("điện") for c in chunks) == 600


def test_fallback_for_documents_without_articles(chunker):
    text = "# Sổ tay tiếp dân\n\n## Chuẩn bị\nĐọc kỹ lịch tiếp dân.\n\n## Khi tiếp dân\nLắng nghe và ghi chép đầy đủ.\n"
    chunks = chunker.chunk(_md(text))
    assert all(c.metadata["article"] == "" for c in chunks)
    crumbs = [c.metadata["breadcrumb"] for c in chunks]
    assert any(c.endswith("Khi tiếp dân") for c in crumbs)
    assert any("Lắng nghe" in c.text for c in chunks)


def test_chunk_ids_are_deterministic_and_unique(chunker):
    a = chunker.chunk(_md(LEGAL_MD))
    b = chunker.chunk(_md(LEGAL_MD))
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    assert all(c.metadata["n_chunks"] == len(a) for c in a)
    c = chunker.chunk(_md(LEGAL_MD + "\nThêm một dòng.\n"))
    assert c[0].id != a[0].id  # content change -> new ids (hash is part of the id)


def test_metadata_values_are_chroma_safe(chunker):
    for c in chunker.chunk(_md(LEGAL_MD)):
        for k, v in c.metadata.items():
            assert isinstance(v, (str, int, float, bool)), (k, v)


def test_plan_parts_in_roman_numerals_become_sections(chunker):
    text = ("ỦY BAN NHÂN DÂN QUẬN THỬ\nSố: 45/KH-UBND\nKẾ HOẠCH\nChuyển đổi số năm 2025\n\n"
            "I. MỤC ĐÍCH, YÊU CẦU\nNâng tỷ lệ hồ sơ trực tuyến lên 80%.\n\nII. NHIỆM VỤ\nSố hóa hồ sơ tồn đọng.\n")
    chunks = chunker.chunk(_md(text, "kh.md"))
    crumbs = {c.metadata["breadcrumb"] for c in chunks}
    assert any(c.endswith("I. MỤC ĐÍCH, YÊU CẦU") for c in crumbs)
    assert any(c.endswith("II. NHIỆM VỤ") and "MỤC ĐÍCH" not in c for c in crumbs)


def test_official_letter_is_recognised_by_its_summary_line():
    from assistant.loaders import extract_metadata

    meta = extract_metadata("ỦY BAN NHÂN DÂN QUẬN THỬ\nSố: 512/UBND-VP\nV/v đôn đốc giải quyết hồ sơ quá hạn\nThử, ngày 02 tháng 10 năm 2025\n")
    assert meta["doc_type"] == "Công văn" and meta["title"] == "Công văn về đôn đốc giải quyết hồ sơ quá hạn"


def test_a_text_file_with_one_article_gets_article_1(chunker):
    """One "Điều 1." is structure too (it used to need two articles to be recognised)."""
    text = ("Tài liệu mẫu phục vụ thực hành.\n\nQUYẾT ĐỊNH\nVề giờ tiếp công dân\n\n"
            "Điều 1. Giờ tiếp công dân\n1. Trụ sở tiếp công dân mở cửa sáng thứ Ba và sáng thứ Năm hằng tuần.\n"
            "2. Người đến tiếp công dân mang theo giấy tờ tùy thân.\n")
    doc = load_bytes(text.encode("utf-8"), "mot-dieu.txt")
    body = [c for c in chunker.chunk(doc) if "thứ Ba" in c.text]
    assert body and body[0].metadata["article"] == "1"
    assert body[0].metadata["article_title"] == "Giờ tiếp công dân"
    assert "Điều 1" in body[0].metadata["breadcrumb"]


def test_a_mention_of_one_article_is_not_structure():
    """A letter that cites "Điều 5." of another text once has no articles of its own."""
    from assistant.chunking import has_articles

    doc = load_bytes("Công văn đôn đốc.\nĐiều 5. của Quy chế quy định thời hạn.\nĐề nghị thực hiện.".encode("utf-8"), "cv.txt")
    assert not has_articles(doc)

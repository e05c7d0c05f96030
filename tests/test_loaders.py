"""Loaders: every format, metadata, NFC, and every kind of bad input."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from assistant.loaders import LoadError, decode_text, extract_metadata, load_bytes, load_file

FILES = Path(__file__).resolve().parent / "fixtures" / "files"


def test_pdf_keeps_pages_and_metadata():
    doc = load_file(FILES / "quyet-dinh.pdf", FILES)
    assert doc.format == "pdf"
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert "Điều 3. Thời hạn kiểm tra hồ sơ" in doc.pages[1].text
    assert doc.doc_number == "07/2024/QĐ-UBND"
    assert doc.doc_date == "2024-01-09"
    assert doc.doc_type == "Quyết định"
    assert doc.title.startswith("Quyết định ban hành")
    assert doc.source == "quyet-dinh.pdf"
    assert doc.lang == "vi"


def test_docx_headings_paragraphs_tables_in_order():
    doc = load_file(FILES / "huong-dan.docx", FILES)
    text = doc.text
    assert "# HƯỚNG DẪN" in text  # heading style kept as a heading
    assert "Sổ đăng ký văn bản đến | 20 năm" in text  # table row as text
    assert text.index("Điều 2.") < text.index("20 năm") < text.index("Điều 3.")
    assert doc.doc_number == "15/HD-SNV" and doc.doc_date == "2024-05-20"


def test_markdown_title_and_source_relative(tmp_path):
    sub = tmp_path / "quan" / "phuong"
    sub.mkdir(parents=True)
    f = sub / "ghi-chu.md"
    f.write_text("# Sổ tay tiếp dân\n\nNội dung ghi chú.\n", encoding="utf-8")
    doc = load_file(f, tmp_path)
    assert doc.source == "quan/phuong/ghi-chu.md"
    assert doc.title == "Sổ tay tiếp dân"


def test_html_drops_scripts_and_keeps_blocks(tmp_path):
    f = tmp_path / "trang.html"
    f.write_text("<html><head><title>Thông báo lịch tiếp dân</title><script>var x='bỏ qua';</script></head>"
                 "<body><h1>Lịch tiếp dân</h1><p>Thứ Hai&nbsp;hằng tuần.</p><table><tr><td>Sáng</td><td>8 giờ</td></tr></table></body></html>",
                 encoding="utf-8")
    doc = load_file(f, tmp_path)
    assert "bỏ qua" not in doc.text
    assert "# Lịch tiếp dân" in doc.text and "Thứ Hai hằng tuần." in doc.text
    assert "Sáng | 8 giờ" in doc.text


def test_text_is_normalised_to_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "Nghị định về công tác văn thư")
    f = tmp_path / "a.txt"
    f.write_text(nfd, encoding="utf-8")
    doc = load_file(f, tmp_path)
    assert doc.text == unicodedata.normalize("NFC", nfd)
    assert doc.text != nfd


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes as Vietnamese Windows programs write them: vowel shapes precomposed, tones combining."""
    out: list[list[str]] = []  # [base, tone marks...] clusters
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out:
            if ch in "\u0302\u0306\u031b":
                out[-1][0] = unicodedata.normalize("NFC", out[-1][0] + ch)
            else:
                out[-1].append(ch)
        else:
            out.append([ch])
    out = ["".join(c) for c in out]
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "cp1258"])
def test_text_encodings_are_read_correctly(tmp_path, encoding):
    text = "Điều 1. Người nộp hồ sơ được nhận giấy hẹn trả kết quả."
    f = tmp_path / "vb.txt"
    f.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    assert load_file(f, tmp_path).text.strip() == text


def test_cp1258_uses_combining_marks_that_nfc_recomposes():
    raw = to_cp1258("Quyết định")
    assert unicodedata.normalize("NFC", decode_text(raw, "x.txt")) == "Quyết định"


BAD = [
    ("hong.pdf", b"%PDF-1.4\n1 0 obj <<>> garbage\n%%EOF", "pdf_corrupt"),
    ("khong-phai-pdf.pdf", b"this is not a pdf at all", "pdf_corrupt"),
    ("rong.md", b"", "empty"),
    ("chi-khoang-trang.txt", b"   \n\n  ", "empty"),
    ("nhi-phan.txt", bytes(range(256)) * 10, "binary"),
    ("hong.docx", b"PK\x03\x04 not really a zip", "docx_corrupt"),
    ("bang-tinh.xlsx", b"PK\x03\x04", "unsupported"),
    ("khong-duoi", b"abc", "unsupported"),
]


@pytest.mark.parametrize("name,data,code", BAD, ids=[b[0] for b in BAD])
def test_bad_inputs_give_a_reason(tmp_path, name, data, code):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(LoadError) as err:
        load_file(f, tmp_path)
    assert err.value.code == code
    assert err.value.path == name
    msg_vi, msg_en = err.value.message("vi"), err.value.message("en")
    assert msg_vi and msg_en and msg_vi != msg_en
    assert "{" not in msg_vi and "{" not in msg_en  # every placeholder filled


def test_encrypted_pdf(tmp_path):
    with pytest.raises(LoadError) as err:
        load_file(FILES / "encrypted.pdf", FILES)
    assert err.value.code == "pdf_encrypted"
    assert "mật khẩu" in err.value.message("vi")


def test_scanned_pdf_says_ocr_is_needed():
    with pytest.raises(LoadError) as err:
        load_file(FILES / "scanned.pdf", FILES)
    assert err.value.code == "pdf_scanned"
    assert "OCR" in err.value.message("vi") and "OCR" in err.value.message("en")


def test_file_over_the_size_limit(tmp_path):
    f = tmp_path / "lon.txt"
    f.write_bytes(b"a" * (2 * 1024 * 1024))
    with pytest.raises(LoadError) as err:
        load_file(f, tmp_path, max_mb=1)
    assert err.value.code == "too_large"
    assert "2.0 MB" in err.value.message("en") and "1 MB" in err.value.message("en")


def test_metadata_english_and_missing():
    meta = extract_metadata("SAMPLE\nNo. 12/2025/QD-UBND\nLac Hong, 5 March 2025\nDECISION\nOn the use of AI tools\n")
    assert meta["doc_number"] == "12/2025/QD-UBND"
    assert meta["doc_date"] == "2025-03-05"
    assert meta["doc_type"] == "Decision" and "use of AI tools" in meta["title"]
    assert extract_metadata("Ghi chú họp tổ.\nKhông có số.")["doc_number"] == ""


def test_load_bytes_same_as_file():
    data = (FILES / "quyet-dinh.pdf").read_bytes()
    doc = load_bytes(data, "tai-len/quyet-dinh.pdf")
    assert doc.source == "tai-len/quyet-dinh.pdf" and len(doc.pages) == 3


def test_a_documents_language_is_read_by_its_words(tmp_path):
    """An English text naming Vietnamese people and places stays English; Vietnamese text is Vietnamese."""
    from assistant.loaders import document_lang

    en = ("Kublai's government faced money troubles after 1279, as wars and building works had drained the "
          "treasury. His campaigns against Annam, Champa and Java went badly, and the Trần dynasty of Đại Việt "
          "held out against the Mongol armies, which it defeated on the river in 1288. Annam, Burma and Champa "
          "later recognised the power of the Yuan court and sent tribute to it for many years. The dynasty "
          "itself came from the south of China, as did the cleric who wrote down the story of the invasions.")
    vi = "Hồ sơ trực tuyến phải được công chức kiểm tra trong thời hạn 08 giờ làm việc kể từ khi Hệ thống ghi nhận."
    assert document_lang(en) == "en"
    assert document_lang(vi) == "vi"
    assert document_lang("Article 6. Checking applications. Điều 6 of the Vietnamese text says the same.") == "en"
    f = tmp_path / "yuan.md"
    f.write_text("# The Yuan dynasty\n\n" + en, encoding="utf-8")
    assert load_file(f, root=tmp_path).lang == "en"

"""Drafting in the national format (Decree 30/2020/NĐ-CP): types, fields, body, DOCX read back, CLI."""
from __future__ import annotations

import io
import json
import socket

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from assistant.drafting import DraftInputError, check_docx, list_types, make_draft
from assistant.drafting import compose
from assistant.drafting.fields import date_line, parse_date

FIELDS = {
    "agency": "Ủy ban nhân dân xã An Bình",
    "parent_agency": "Ủy ban nhân dân huyện Đông Sơn",
    "number": 5,
    "place": "An Bình",
    "date": "2026-01-05",
    "subject": "Tổ chức tập huấn sử dụng trợ lý AI trong soạn thảo văn bản",
    "recipients": ["Văn phòng HĐND và UBND xã", "Công chức Tư pháp - Hộ tịch"],
    "points": ["Thời gian tập huấn: 02 buổi trong tháng 01 năm 2026", "Thành phần: công chức chuyên môn của xã"],
    "signer_title": "Chủ tịch",
    "signer_name": "Nguyễn Văn An",
    "signer_authority": "TM. Ủy ban nhân dân",
    "code": "UBND-VP",
}
TYPES = [t["id"] for t in list_types("vi")]
TNR = "Times New Roman"


@pytest.fixture
def settings(make_settings):
    return make_settings()  # offline backend, an empty store folder (no index)


def all_paragraphs(doc):
    for p in doc.paragraphs:
        yield p
    for table in doc.tables:
        for cell in table.rows[0].cells:
            yield from cell.paragraphs


def norm(text):
    return " ".join(text.split())  # a line break inside a name reads as a space


def find(doc, pred):
    return next(p for p in all_paragraphs(doc) if pred(norm(p.text)))


def runs(p):
    return [r for r in p.runs if r.text.strip()]


def test_types_listed_with_vi_and_en_names():
    types = list_types("en")
    ids = [t["id"] for t in types]
    assert {"cong-van", "to-trinh", "bao-cao", "ke-hoach", "thong-bao", "quyet-dinh", "giay-moi", "bien-ban"} <= set(ids)
    by_id = {t["id"]: t for t in types}
    assert by_id["quyet-dinh"]["abbr"] == "QĐ" and by_id["to-trinh"]["abbr"] == "TTr"
    assert by_id["cong-van"]["name_vi"] == "Công văn" and by_id["cong-van"]["name_en"] == "Official letter"
    assert by_id["cong-van"]["name"] == "Official letter"
    assert list_types("vi")[0]["name"] == "Công văn"


@pytest.mark.parametrize("iso,expected", [
    ("2026-01-05", "An Bình, ngày 05 tháng 01 năm 2026"),
    ("2026-02-15", "An Bình, ngày 15 tháng 02 năm 2026"),
    ("2026-11-20", "An Bình, ngày 20 tháng 11 năm 2026"),
    ("2026-03-09", "An Bình, ngày 09 tháng 3 năm 2026"),
    ("2026-10-01", "An Bình, ngày 01 tháng 10 năm 2026"),
])
def test_date_line_zero_padding(iso, expected):
    assert date_line("An Bình", parse_date(iso)) == expected


@pytest.mark.parametrize("doc_type", TYPES)
def test_every_type_exports_a_docx_that_passes_the_checker(doc_type, settings):
    draft = make_draft(doc_type, FIELDS, settings)
    data = draft.to_docx_bytes()
    results = check_docx(data)
    failed = [(r.rule, r.message("en")) for r in results if r.status != "pass"]
    assert failed == []
    assert len(results) >= 25
    doc = Document(io.BytesIO(data))

    # page: A4 portrait, margins inside Decree 30 ranges, number from page 2 (different first page)
    s = doc.sections[0]
    assert abs(s.page_width - Mm(210)) < Mm(0.1) and abs(s.page_height - Mm(297)) < Mm(0.1)
    assert Mm(20) <= s.top_margin <= Mm(25) and Mm(20) <= s.bottom_margin <= Mm(25)
    assert Mm(30) <= s.left_margin <= Mm(35) and Mm(15) <= s.right_margin <= Mm(20)
    assert s.different_first_page_header_footer
    assert "PAGE" in "".join(s.header._element.itertext())
    assert "PAGE" not in "".join(s.first_page_header._element.itertext())

    # Times New Roman in every slot of every run, and in the document defaults (no theme font)
    for p in all_paragraphs(doc):
        for r in runs(p):
            rf = r._r.rPr.find(qn("w:rFonts"))
            assert all(rf.get(qn(f"w:{a}")) == TNR for a in ("ascii", "hAnsi", "eastAsia", "cs")), r.text
    dd = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert dd.get(qn("w:ascii")) == TNR and dd.get(qn("w:asciiTheme")) is None

    # header: the first block is a borderless two-column table
    body = doc.element.body
    assert body[0].tag == qn("w:tbl")
    head = doc.tables[0]
    assert len(head.columns) == 2
    borders = head._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    left, right = head.rows[0].cells
    assert "ỦY BAN NHÂN DÂN XÃ AN BÌNH" in norm(left.text) and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right.text

    title = find(doc, lambda x: x == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert all(r.bold and r.font.size.pt == 12 for r in runs(title))
    motto = find(doc, lambda x: x == "Độc lập - Tự do - Hạnh phúc")
    assert all(r.bold and r.font.size.pt == 13 for r in runs(motto))
    agency = find(doc, lambda x: x == "ỦY BAN NHÂN DÂN XÃ AN BÌNH")
    assert all(r.bold and r.font.size.pt == 12 for r in runs(agency))
    assert agency._p.xpath(".//w:br") and agency.text.split("\n") == ["ỦY BAN NHÂN DÂN", "XÃ AN BÌNH"]
    number = find(doc, lambda x: x.startswith("Số:"))
    assert number.text.startswith("Số: 05/") and all(r.font.size.pt == 13 for r in runs(number))
    if draft.doc_type.place_date:
        date = next(p for p in right.paragraphs if "ngày" in p.text)
        assert date.text == "An Bình, ngày 05 tháng 01 năm 2026"
        assert all(r.italic and r.font.size.pt == 14 for r in runs(date))

    # recipients block
    label = find(doc, lambda x: x == "Nơi nhận:")
    assert all(r.bold and r.italic and r.font.size.pt == 12 for r in runs(label))
    items = [p for p in all_paragraphs(doc) if p.text.startswith("- ") and ("Lưu" in p.text or "Như" in p.text)]
    assert items and all(r.font.size.pt == 11 for p in items for r in runs(p))
    assert items[-1].text.startswith("- Lưu: VT") and items[-1].text.endswith(".")

    # signer block bold; body justified 14 pt with a first-line indent
    name = find(doc, lambda x: x == "Nguyễn Văn An")
    assert all(r.bold and r.font.size.pt == 14 for r in runs(name))
    body_paras = [p for p in doc.paragraphs if len(p.text) > 60 and p.paragraph_format.first_line_indent]
    assert body_paras
    for p in body_paras:
        assert p.alignment == 3  # WD_ALIGN_PARAGRAPH.JUSTIFY
        assert all(r.font.size.pt == 14 for r in runs(p))
    last = draft.body[-1]
    assert last.text.endswith("./.")
    assert sum(p.text.endswith("./.") for p in doc.paragraphs) == 1


def test_cong_van_number_and_vv_line_and_addressees(settings):
    d = make_draft("cong-van", FIELDS, settings)
    assert d.number_line == "Số: 05/UBND-VP"
    assert d.summary == "V/v tổ chức tập huấn sử dụng trợ lý AI trong soạn thảo văn bản"
    assert d.type_title == ""
    assert d.addressees == FIELDS["recipients"]
    assert d.recipients == ["- Như trên;", "- Lưu: VT."]
    doc = Document(io.BytesIO(d.to_docx_bytes()))
    left = doc.tables[0].rows[0].cells[0]
    assert [p.text for p in left.paragraphs if p.text][-2:] == ["Số: 05/UBND-VP", d.summary]
    assert any(p.text == "Kính gửi:" for p in doc.paragraphs)


def test_number_codes_and_blank_number(settings):
    f = dict(FIELDS, number="", code="")
    assert make_draft("quyet-dinh", f, settings).number_line.replace(" ", "") == "Số:/QĐ-UBND"
    assert make_draft("bao-cao", dict(FIELDS, number=12), settings).number_line == "Số: 12/BC-UBND"
    assert make_draft("to-trinh", dict(FIELDS, code="TTr-UBND"), settings).number_line == "Số: 05/TTr-UBND"
    f = dict(FIELDS, agency="Sở Nội vụ tỉnh An Giang", code="")
    assert make_draft("ke-hoach", f, settings).number_line == "Số: 05/KH-SNV"
    assert make_draft("thong-bao", dict(FIELDS, code="SNV"), settings).number_line == "Số: 05/TB-SNV"


def test_quyet_dinh_has_bases_decides_and_three_articles(settings):
    f = dict(FIELDS, legal_bases=["Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015",
                                  "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư"],
             proposer="Công chức Văn phòng - Thống kê")
    d = make_draft("quyet-dinh", f, settings)
    kinds = [(b.kind, b.label or b.text) for b in d.body]
    texts = [b.text for b in d.body]
    assert kinds[0] == ("center_bold", "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ AN BÌNH")
    assert texts[1] == "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"
    assert texts[2].startswith("Căn cứ Nghị định số 30/2020/NĐ-CP") and texts[2].endswith(";")
    assert texts[3] == "Theo đề nghị của Công chức Văn phòng - Thống kê."
    assert "QUYẾT ĐỊNH:" in texts
    assert [b.label for b in d.body if b.kind == "article"] == ["Điều 1.", "Điều 2.", "Điều 3."]
    assert d.recipients[0] == "- Như Điều 3;"
    assert d.summary.startswith("Về việc tổ chức tập huấn")
    doc = Document(io.BytesIO(d.to_docx_bytes()))
    basis = find(doc, lambda x: x.startswith("Căn cứ Luật"))
    assert all(r.italic for r in runs(basis))
    art = find(doc, lambda x: x.startswith("Điều 1."))
    assert art.runs[0].bold and not art.runs[1].bold
    assert d.citations == []  # the user's own bases: nothing retrieved


class _FakeHit:
    def __init__(self, meta, text="Điều 5. ..."):
        self.metadata, self.text = meta, text
        self.source, self.title, self.article = meta["source"], meta["title"], meta.get("article", "")
        self.chunk_id, self.score, self.passage = "c1", 0.9, text


class _FakeRetriever:
    def __init__(self):
        self.queries = []

    def search(self, query, k=None, **kw):
        self.queries.append((query, k))
        report = {"source": "bc.md", "title": "Báo cáo kết quả quý III", "doc_type": "Báo cáo", "doc_number": "312/BC-UBND"}
        nd30 = {"source": "nd30.md", "title": "Nghị định về công tác văn thư", "doc_type": "Nghị định",
                "doc_number": "30/2020/NĐ-CP", "doc_date": "2020-03-05", "article": "Điều 8"}
        return [_FakeHit(report), _FakeHit(nd30), _FakeHit(dict(nd30, article="Điều 9"))]


def test_legal_bases_retrieved_from_corpus_are_cited(settings):
    r = _FakeRetriever()
    d = make_draft("ke-hoach", FIELDS, settings, retriever=r)
    assert r.queries == [(FIELDS["subject"], 10)]
    bases = [b.text for b in d.body if b.kind == "basis"]
    # a report is not a legal basis; the same decree found twice is cited once
    assert bases == ["Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 về công tác văn thư."]
    assert [(c["source"], c["article"]) for c in d.citations] == [("nd30.md", "Điều 8")]
    assert "nd30.md" in d.markdown


def test_no_index_gives_a_clear_note_and_a_placeholder(settings):
    d = make_draft("quyet-dinh", FIELDS, settings)
    assert any("python -m assistant index" in n for n in d.notes)
    assert any(b.text.startswith("Căn cứ ……") for b in d.body)
    en = make_draft("quyet-dinh", FIELDS, settings, lang="en")
    assert any("There is no document index" in n for n in en.notes)


@pytest.mark.slow
def test_legal_basis_from_the_real_index(corpus_index, retriever):
    settings, _ = corpus_index
    f = dict(FIELDS, subject="Hướng dẫn thủ tục đăng ký khai sinh cho trẻ em")
    d = make_draft("quyet-dinh", f, settings, retriever=retriever)
    assert d.citations, d.notes
    assert any(b.kind == "basis" and "……" not in b.text for b in d.body)
    assert all(c["source"] for c in d.citations)


@pytest.mark.parametrize("change,field,code", [
    ({"agency": ""}, "agency", "missing"),
    ({"signer_name": None}, "signer_name", "missing"),
    ({"points": []}, "points", "missing"),
    ({"date": "5 Jan 2026"}, "date", "bad_date"),
    ({"date": "20/11/25"}, "date", "bad_date"),
    ({"date": "2026-02-30"}, "date", "no_such_date"),
    ({"date": "20/13/2025"}, "date", "no_such_date"),
    ({"number": "15a"}, "number", "bad_number"),
    ({"code": "QĐ UBND"}, "code", "bad_code"),
    ({"recipients": {"a": 1}}, "recipients", "not_list"),
    ({"subject": ["x"]}, "subject", "not_text"),
    ({"signer_authority": "Thay mặt nhiều người"}, "signer_authority", "bad_authority"),
])
def test_bad_input_names_the_field(settings, change, field, code):
    from assistant.drafting.fields import label

    f = dict(FIELDS)
    f.update(change)
    with pytest.raises(DraftInputError) as ei:
        make_draft("bao-cao", f, settings)
    e = ei.value
    assert e.field == field and e.code == code and len(e.errors) == 1
    for lang in ("vi", "en"):
        # the app's message names the field by its visible label, never by its JSON key ...
        assert f"«{label(field, lang)}»" in e.message(lang) and f"'{field}'" not in e.message(lang)
        # ... the CLI's adds the key, as written in the JSON file
        assert f"'{field}'" in e.message(lang, keys=True)
    assert e.message("en") != e.message("vi")


TYPED_DATES = ["20/11/2025", "20-11-2025", "20.11.2025", "2025-11-20", "20 tháng 11 năm 2025",
               "ngày 20 tháng 11 năm 2025", " 20 / 11 / 2025 ", "20/11/2025.", "2025-11-20T00:00:00"]


@pytest.mark.parametrize("typed", TYPED_DATES)
def test_dates_typed_as_people_type_them(settings, typed):
    d = make_draft("thong-bao", dict(FIELDS, place="Bến Sông", date=typed), settings)
    assert d.place_date == "Bến Sông, ngày 20 tháng 11 năm 2025"


@pytest.mark.parametrize("typed,line", [
    ("5/1/2026", "ngày 05 tháng 01 năm 2026"),  # day below 10 and month 1: a leading zero
    ("15/2/2026", "ngày 15 tháng 02 năm 2026"),  # month 2: a leading zero
    ("9/3/2026", "ngày 09 tháng 3 năm 2026"),  # month 3 and later: none
    ("01.10.2026", "ngày 01 tháng 10 năm 2026"),
    ("3 tháng 12 năm 2026", "ngày 03 tháng 12 năm 2026"),
])
def test_typed_dates_are_written_out_per_decree_30(typed, line):
    from assistant.drafting.fields import date_words

    assert date_words(parse_date(typed)) == line


def test_a_wrong_date_says_what_was_typed_and_the_forms_accepted():
    with pytest.raises(DraftInputError) as ei:
        parse_date("hôm qua")
    vi, en = ei.value.message("vi"), ei.value.message("en")
    for msg in (vi, en):
        assert "«hôm qua»" in msg
        assert all(form in msg for form in ("20/11/2025", "20-11-2025", "2025-11-20", "20 tháng 11 năm 2025"))
    assert vi.startswith("«Ngày ban hành»") and en.startswith("«Date of issue»")
    with pytest.raises(DraftInputError) as ei:
        parse_date("31/04/2026")
    assert "«31/04/2026»" in ei.value.message("vi") and "30" in ei.value.message("vi")
    assert "has only 30 days" in ei.value.message("en")


def test_all_missing_and_malformed_fields_listed_at_once_by_label(settings):
    from assistant.drafting.fields import KNOWN, label

    f = dict(FIELDS, date="20/11/2025", number="5a", signer_authority="KT")
    for name in ("agency", "subject", "signer_name"):
        f.pop(name)
    with pytest.raises(DraftInputError) as ei:
        make_draft("cong-van", dict(f, recipients=[]), settings)
    e = ei.value
    # one pass, in the order of the form: every problem, not just the first
    assert [x.field for x in e.errors] == ["agency", "number", "subject", "signer_head", "signer_name", "recipients"]
    assert e.field == "agency" and e.code == "missing"  # the first, as the CLI and API returned before
    for lang in ("vi", "en"):
        lines = e.messages(lang)
        assert len(lines) == 6 and e.message(lang).count("\n") == 5
        for x, line in zip(e.errors, lines):
            assert line.startswith(f"«{label(x.field, lang)}»")
        assert not any(f"'{k}'" in e.message(lang) or (("_" in k) and k in e.message(lang)) for k in KNOWN)
    assert "«Kính gửi»" in lines[-1] or "«Addressed to (Kính gửi)»" in e.messages("en")[-1]
    rows = e.as_list("en")
    assert rows[0] == {"field": "agency", "code": "missing", "label": "Issuing body",
                       "message": "«Issuing body»: not filled in — it is required."}


def test_input_error_with_only_the_date_fixed_drafts(settings):
    d = make_draft("bao-cao", dict(FIELDS, date="20/11/2025"), settings)
    assert d.place_date == "An Bình, ngày 20 tháng 11 năm 2025"


def test_unknown_type_and_letter_without_recipients(settings):
    with pytest.raises(DraftInputError) as ei:
        make_draft("nghi-quyet-xyz", FIELDS, settings)
    assert "cong-van" in ei.value.message("en")
    with pytest.raises(DraftInputError) as ei:
        make_draft("cong-van", dict(FIELDS, recipients=[]), settings)
    assert ei.value.field == "recipients"


def test_llm_body_used_when_backend_answers(settings):
    from assistant.fake_llm import scripted

    seen = {}

    def fake(messages):
        seen["user"] = messages[-1].content
        return "**Thực hiện chỉ đạo của cấp trên**, xã tổ chức tập huấn.\n\nĐề nghị các đơn vị cử người tham dự."

    d = make_draft("cong-van", FIELDS, settings.with_(backend="openai"), llm=scripted(fake))
    assert d.body_source == "llm"
    assert [b.text for b in d.body][0] == "Thực hiện chỉ đạo của cấp trên, xã tổ chức tập huấn."
    assert d.body[-1].text.endswith("./.")
    assert FIELDS["points"][0] in seen["user"]
    assert check_docx(d.to_docx_bytes()) and all(r.ok for r in check_docx(d.to_docx_bytes()))


def test_llm_decision_without_articles_falls_back(settings):
    from assistant.fake_llm import scripted

    d = make_draft("quyet-dinh", FIELDS, settings.with_(backend="openai"), llm=scripted("Một đoạn văn không có điều khoản."))
    assert d.body_source == "offline"
    assert any("mô hình ngôn ngữ" in n for n in d.notes)


def test_unreachable_llm_server_falls_back_offline(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    st = settings.with_(backend="openai", llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="x",
                        llm_retries=0, llm_timeout=3.0)
    d = make_draft("thong-bao", FIELDS, st, lang="en")
    assert d.body_source == "offline"
    assert any("language model could not be reached" in n for n in d.notes)
    assert all(r.ok for r in check_docx(d.to_docx_bytes()))


def test_markdown_preview_has_every_component(settings):
    md = make_draft("quyet-dinh", FIELDS, settings).markdown
    for part in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN XÃ AN BÌNH",
                 "Số: 05/QĐ-UBND", "<i>An Bình, ngày 05 tháng 01 năm 2026</i>", "QUYẾT ĐỊNH", "**Điều 1.**",
                 "<b><i>Nơi nhận:</i></b>", "- Như Điều 3;", "<b>CHỦ TỊCH</b>", "<b>Nguyễn Văn An</b>"):
        assert part in md, part
    # the parent body and the recipients are not bold (no Markdown table, whose first row is a bold header)
    assert "<b>ỦY BAN NHÂN DÂN HUYỆN ĐÔNG SƠN</b>" not in md and "ỦY BAN NHÂN DÂN HUYỆN ĐÔNG SƠN" in md
    assert "|:---" not in md and "<b>- Như Điều 3;</b>" not in md
    assert "&lt;b&gt;" in make_draft("bao-cao", dict(FIELDS, subject="<b>x</b>"), settings).markdown  # escaped


def test_save_writes_a_docx(settings, tmp_path):
    out = make_draft("giay-moi", FIELDS, settings).save(tmp_path / "sub" / "gm.docx")
    assert out.is_file() and all(r.ok for r in check_docx(out))


# ----------------------------------------------------------------- CLI
def run_cli(argv, capsys):
    from assistant.cli import main

    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_list(capsys):
    code, out, _ = run_cli(["--env-file", "", "draft", "--list"], capsys)
    assert code == 0
    assert "quyet-dinh" in out and "Quyết định (cá biệt)" in out and "Decision (individual)" in out


def test_cli_draft_ok_and_bad_input(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_STORE_DIR", str(tmp_path / "store"))
    inp = tmp_path / "f.json"
    inp.write_text(json.dumps(FIELDS, ensure_ascii=False), encoding="utf-8")
    out, md = tmp_path / "bc.docx", tmp_path / "bc.md"
    code, so, _ = run_cli(["--env-file", "", "draft", "bao-cao", "--input", str(inp), "--out", str(out),
                           "--markdown", str(md)], capsys)
    assert code == 0 and out.is_file() and "BÁO CÁO" in md.read_text(encoding="utf-8")
    assert all(r.ok for r in check_docx(out))

    bad = dict(FIELDS)
    del bad["place"]
    inp.write_text(json.dumps(bad), encoding="utf-8")
    code, _, err = run_cli(["--env-file", "", "draft", "bao-cao", "--input", str(inp), "--out", str(out), "--lang", "en"], capsys)
    assert code == 2 and "'place'" in err and "«Place»: not filled in" in err

    del bad["signer_name"]  # two problems: both printed, each with its label and key; --json lists them
    inp.write_text(json.dumps(bad), encoding="utf-8")
    code, so, err = run_cli(["--env-file", "", "draft", "bao-cao", "--input", str(inp), "--out", str(out), "--json"],
                            capsys)
    assert code == 2 and "'place'" in err and "'signer_name'" in err and "«Họ tên người ký»" in err
    j = json.loads(so)
    assert j["field"] == "place" and [e["field"] for e in j["errors"]] == ["place", "signer_name"]

    inp.write_text("{not json", encoding="utf-8")
    code, _, err = run_cli(["--env-file", "", "draft", "bao-cao", "--input", str(inp), "--out", str(out)], capsys)
    assert code == 2 and str(inp) in err

    code, _, err = run_cli(["--env-file", "", "draft", "bao-cao", "--input", str(tmp_path / "none.json"), "--out", str(out)], capsys)
    assert code == 2
    code, _, err = run_cli(["--env-file", "", "draft", "xyz", "--input", str(inp), "--out", str(out)], capsys)
    assert code == 2


def test_llm_without_base_url_never_calls_out(settings):
    d = make_draft("bao-cao", FIELDS, settings.with_(backend="openai"), lang="en")
    assert d.body_source == "offline"
    assert any("ASSISTANT_LLM_BASE_URL" in n for n in d.notes)


@pytest.mark.integration
def test_llm_body_from_a_real_openai_compatible_server(settings):
    """A tiny OpenAI-compatible server on 127.0.0.1 (free port): the body comes back through ChatOpenAI."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    requests = []
    answer = ("Điều 1. Thành lập Tổ hỗ trợ tập huấn gồm 03 thành viên.\n"
              "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n"
              "Điều 3. Văn phòng và các thành viên Tổ chịu trách nhiệm thi hành Quyết định này.")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append((self.path, body))
            out = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                              "choices": [{"index": 0, "finish_reason": "stop",
                                           "message": {"role": "assistant", "content": answer}}],
                              "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        st = settings.with_(backend="openai", llm_base_url=f"http://127.0.0.1:{server.server_port}/v1",
                            llm_model="test-model", llm_retries=0, llm_timeout=10.0)
        d = make_draft("quyet-dinh", FIELDS, st)
    finally:
        server.shutdown()
        server.server_close()
    assert d.body_source == "llm", d.notes
    assert requests and requests[0][0].endswith("/chat/completions") and requests[0][1]["model"] == "test-model"
    msgs = requests[0][1]["messages"]
    assert msgs[0]["role"] == "system" and "Nghị định 30/2020" in msgs[0]["content"]
    assert FIELDS["subject"] in msgs[1]["content"]
    arts = [b for b in d.body if b.kind == "article"]
    assert [b.label for b in arts] == ["Điều 1.", "Điều 2.", "Điều 3."]
    assert arts[0].text == "Thành lập Tổ hỗ trợ tập huấn gồm 03 thành viên."
    assert arts[-1].text.endswith("./.")
    assert d.body[0].text == "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ AN BÌNH"  # the frame stays the program's
    assert all(r.ok for r in check_docx(d.to_docx_bytes()))


# Child order required by the WordprocessingML schema (ECMA-376 Part 1); Word refuses files that break it.
ORDER = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
            "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
            "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
            "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
            "em", "lang", "eastAsianLayout", "specVanish", "oMath"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
              "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
              "tblCaption", "tblDescription"],
}


def test_docx_xml_follows_the_schema_order(settings):
    from docx.oxml.ns import nsmap

    w = "{%s}" % nsmap["w"]
    for doc_type in ("cong-van", "quyet-dinh", "bien-ban"):
        doc = Document(io.BytesIO(make_draft(doc_type, FIELDS, settings).to_docx_bytes()))
        parts = [doc.element, doc.styles.element, doc.sections[0].header._element]
        for part in parts:
            for tag, order in ORDER.items():
                for el in part.iter(w + tag):
                    names = [c.tag.replace(w, "") for c in el if c.tag.startswith(w)]
                    assert len(names) == len(set(names)), (doc_type, tag, names)
                    known = [n for n in names if n in order]
                    assert known == sorted(known, key=order.index), (doc_type, tag, names)


# ----------------------------------------------------------------- signing authority (Điều 13; Phụ lục I, Mục II.7)
SIGNERS = [
    ({"signer_authority": "", "signer_title": "Chủ tịch"}, ["CHỦ TỊCH"]),
    ({"signer_authority": "TM", "signer_body": "Ủy ban nhân dân", "signer_title": "Chủ tịch"},
     ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
    ({"signer_authority": "KT", "signer_head": "Chủ tịch", "signer_title": "Phó Chủ tịch"},
     ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
    ({"signer_authority": "TM_KT", "signer_body": "Ủy ban nhân dân", "signer_head": "Chủ tịch",
      "signer_title": "Phó Chủ tịch"}, ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
    ({"signer_authority": "Q", "signer_head": "Giám đốc", "signer_title": ""}, ["Q. GIÁM ĐỐC"]),
    ({"signer_authority": "TL", "signer_head": "Chủ tịch", "signer_title": "Chánh Văn phòng"},
     ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"]),
    ({"signer_authority": "TUQ", "signer_head": "Chủ tịch", "signer_title": "Giám đốc Sở Nội vụ"},
     ["TUQ. CHỦ TỊCH", "GIÁM ĐỐC SỞ NỘI VỤ"]),
    # as people write it in one line (the CLI's JSON, older callers)
    ({"signer_authority": "TM. Ủy ban nhân dân", "signer_title": "Chủ tịch"}, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
    ({"signer_authority": "KT. Giám đốc", "signer_title": "Phó Giám đốc"}, ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
    ({"signer_authority": "TM. Ủy ban nhân dân KT. Chủ tịch", "signer_title": "Phó Chủ tịch"},
     ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
]


@pytest.mark.parametrize("signer,lines", SIGNERS, ids=[s[1][0] for s in SIGNERS])
def test_authority_forms_in_the_signature_block(settings, signer, lines):
    f = {k: v for k, v in FIELDS.items() if k != "signer_authority"}
    f.update(signer)
    d = make_draft("cong-van", f, settings)
    assert d.signer_lines == lines
    data = d.to_docx_bytes()
    assert all(r.ok for r in check_docx(data)), [r.rule for r in check_docx(data) if not r.ok]
    doc = Document(io.BytesIO(data))
    right = doc.tables[-1].rows[0].cells[1]
    printed = [p for p in right.paragraphs if p.text.strip()]
    # each authority and title line its own paragraph, bold capitals 14 pt; then the name
    assert [p.text for p in printed] == lines + ["Nguyễn Văn An"]
    for p in printed:
        assert all(r.bold and r.font.size.pt == 14 for r in runs(p))
    md = d.markdown
    assert "<br>".join(f"<b>{x}</b>" for x in lines) in md and "<b>Nguyễn Văn An</b>" in md


def test_authority_needs_what_it_signs_for(settings):
    f = dict(FIELDS, signer_authority="TM_KT", signer_title="Phó Chủ tịch")
    with pytest.raises(DraftInputError) as ei:
        make_draft("cong-van", f, settings)
    assert [e.field for e in ei.value.errors] == ["signer_body", "signer_head"]
    assert "«Tập thể được thay mặt (TM.)»" in ei.value.message("vi")
    # Q.: the acting head signs under the head's title; the signer's own title is not asked for
    d = make_draft("cong-van", dict(FIELDS, signer_authority="Q", signer_head="Chánh Văn phòng", signer_title=""),
                   settings)
    assert d.signer_lines == ["Q. CHÁNH VĂN PHÒNG"]


def test_a_deputy_issues_a_decision_in_the_heads_name(settings):
    f = dict(FIELDS, agency="Sở Nội vụ", signer_authority="KT", signer_head="Giám đốc", signer_title="Phó Giám đốc")
    d = make_draft("quyet-dinh", f, settings)
    assert d.body[0].text == "GIÁM ĐỐC SỞ NỘI VỤ"  # not "PHÓ GIÁM ĐỐC ..."


# ----------------------------------------------------------------- DOCX file properties
def test_docx_properties_name_the_agency_not_the_library(settings):
    import zipfile

    d = make_draft("quyet-dinh", FIELDS, settings)
    data = d.to_docx_bytes()
    cp = Document(io.BytesIO(data)).core_properties
    assert cp.author == "Ủy ban nhân dân xã An Bình" and cp.last_modified_by == cp.author
    assert cp.title == d.summary == "Về việc tổ chức tập huấn sử dụng trợ lý AI trong soạn thảo văn bản"
    assert cp.subject == "Quyết định (cá biệt)" and cp.language == "vi-VN" and cp.revision == 1
    assert cp.created.year >= 2025 and cp.modified == cp.created
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        props = z.read("docProps/core.xml").decode() + z.read("docProps/app.xml").decode()
        assert not any(n.startswith("docProps/thumbnail") for n in z.namelist())
    assert "python-docx" not in props and "Macintosh" not in props and "2013-" not in props
    assert "<Company>Ủy ban nhân dân xã An Bình</Company>" in props
    # an agency typed in capitals is named in sentence case, as in the text
    cp2 = Document(io.BytesIO(make_draft("cong-van", dict(FIELDS, agency="ỦY BAN NHÂN DÂN XÃ AN BÌNH"),
                                         settings).to_docx_bytes())).core_properties
    assert cp2.author == "Ủy ban nhân dân xã An Bình" and cp2.title.startswith("V/v ")


# ----------------------------------------------------------------- the Draft form (assistant/ui/tab_draft.py)
def test_form_shows_the_fields_each_type_and_authority_use():
    from assistant.ui.tab_draft import FIELDS as FORM, visible_fields

    v = visible_fields("cong-van", "none")
    assert v["addressees"] and not v["legal_bases"] and not v["issuer"] and not v["signer_body"]
    v = visible_fields("quyet-dinh", "TM_KT")
    assert v["legal_bases"] and v["issuer"] and v["proposer"] and v["executors"] and not v["addressees"]
    assert v["signer_body"] and v["signer_head"] and v["signer_title"]
    v = visible_fields("bien-ban", "Q")
    assert v["attendees"] and v["secretary_name"] and v["signer_head"] and not v["signer_title"]
    assert set(v) == set(FORM)


def test_form_sends_only_visible_filled_fields():
    from assistant.ui.tab_draft import collect

    got = collect("bao-cao", {"agency": "A", "addressees": "left over from a công văn", "place": " ",
                              "signer_authority": "none", "signer_body": "Ủy ban nhân dân"})
    assert got == {"agency": "A", "signer_authority": ""}


@pytest.mark.parametrize("doc_type", TYPES)
def test_form_example_drafts_every_type(settings, doc_type):
    from assistant.ui.tab_draft import collect, example_fields

    fields = collect(doc_type, example_fields(doc_type))
    d = make_draft(doc_type, fields, settings)
    assert all(r.ok for r in check_docx(d.to_docx_bytes()))
    assert d.signer_name and d.place_date.startswith("Tân Mỹ, ngày ")


def test_form_previews():
    from assistant.ui.tab_draft import date_preview, sign_preview

    assert date_preview("Bến Sông", "20/11/2025", "vi") == "Dòng ngày sẽ in: *Bến Sông, ngày 20 tháng 11 năm 2025*"
    assert "«20/11»" in date_preview("Bến Sông", "20/11", "en") and "20-11-2025" in date_preview("", "20/11", "en")
    assert sign_preview("KT", "", "Chủ tịch", "Phó Chủ tịch", "Lê Văn B", "vi") == (
        "Khối chữ ký sẽ in: **KT. CHỦ TỊCH** / **PHÓ CHỦ TỊCH** / *(ký, đóng dấu)* / **Lê Văn B**")

"""Personal data written in words: names, addresses, dates of birth, BHYT numbers, plates and secrets.

Redacted in questions (check_input) and in the answers that quote an uploaded document (the output guard),
with look-alikes left alone; the span-level evaluation on the dev split of the hand-written set keeps a floor.
The sentences here are written for this test (none is copied from the evaluation set's test split).
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from assistant.guard import check_input, check_output
from assistant.guard.pii import PLACEHOLDER, find_pii, pii_labels

ROOT = Path(__file__).resolve().parent.parent
RULES_ONLY = {"injection", "similarity", "judge"}  # personal data only: no embedding model needed


def found(text: str) -> list[tuple[str, str]]:
    return [(m.type, m.value) for m in find_pii(text)]


# ------------------------------------------------------------------ each new type, found with its span
@pytest.mark.parametrize("text,typ,value", [
    # names: after honorifics (the span is the name, not the honorific), in form fields, bare full names
    ("Bà Lê Thị Thu Trang hỏi về chế độ thai sản.", "pii.name", "Lê Thị Thu Trang"),
    ("Đề nghị gửi kết quả cho ông Trịnh Văn Hùng trước thứ Sáu.", "pii.name", "Trịnh Văn Hùng"),
    ("Hồ sơ của cháu Mạc Gia Bảo còn thiếu giấy khai sinh.", "pii.name", "Mạc Gia Bảo"),
    ("Họ và tên: Đoàn Minh Châu", "pii.name", "Đoàn Minh Châu"),
    ("Họ tên: PHAN VĂN ĐẠT", "pii.name", "PHAN VĂN ĐẠT"),
    ("Người nộp: Kiều Thị Ngân", "pii.name", "Kiều Thị Ngân"),
    ("Người liên hệ: Cao Thị Yến, ĐT 0987 123 456", "pii.name", "Cao Thị Yến"),
    ("Người khiếu nại: Kiều Văn Nam, trú tại xóm 4, xã Tiên Dương.", "pii.name", "Kiều Văn Nam"),
    ("Tôi tên là Võ Hoàng Phúc, muốn hỏi thủ tục tách thửa.", "pii.name", "Võ Hoàng Phúc"),
    ("Trịnh Thu Hà và Bạch Văn Long đến nộp hồ sơ lúc 9 giờ.", "pii.name", "Trịnh Thu Hà"),
    ("chu tai khoan: nguyen van khanh nhe", "pii.name", "nguyen van khanh"),
    ("Mrs. Tran Thi Lan submitted the form.", "pii.name", "Tran Thi Lan"),
    ("Dr. Nguyen Hoang Nam will attend the hearing.", "pii.name", "Nguyen Hoang Nam"),
    ("Chiều nay anh Khoa bên Sở Tài chính gọi lại.", "pii.name", "Khoa"),
    ("Đồng chí Nguyễn Thị Hà, Phó Chủ tịch UBND phường, phát biểu.", "pii.name", "Nguyễn Thị Hà"),
    # addresses
    ("Nhà tôi ở số 5 ngách 12/3 ngõ 68 phố Cầu Giấy, phường Quan Hoa, quận Cầu Giấy.", "pii.address",
     "số 5 ngách 12/3 ngõ 68 phố Cầu Giấy, phường Quan Hoa, quận Cầu Giấy"),
    ("Gia đình anh Tiến ở xóm 2, xã Nghĩa Hưng, huyện Nghĩa Hưng.", "pii.address",
     "xóm 2, xã Nghĩa Hưng, huyện Nghĩa Hưng"),
    ("Địa chỉ thường trú: xóm Bãi, xã Yên Bình, huyện Thạch Thất, Hà Nội", "pii.address",
     "xóm Bãi, xã Yên Bình, huyện Thạch Thất, Hà Nội"),
    ("Chỗ ở hiện nay: kiệt 27 đường Ông Ích Khiêm, phường Hải Châu", "pii.address",
     "kiệt 27 đường Ông Ích Khiêm, phường Hải Châu"),
    ("Hộ bà Sáu ở tổ dân phố 9, phường Phú Lãm, quận Hà Đông.", "pii.address", "tổ dân phố 9, phường Phú Lãm, quận Hà Đông"),
    # dates of birth
    ("Ông Bùi Quang Vinh sinh ngày 12/7/1968 tại Thái Bình.", "pii.dob", "12/7/1968"),
    ("Ngày sinh: 03.04.2001", "pii.dob", "03.04.2001"),
    ("Sinh ngày 9 tháng 10 năm 1975", "pii.dob", "9 tháng 10 năm 1975"),
    ("DOB 12 March 1985", "pii.dob", "12 March 1985"),
    ("She was born on April 2, 1990 in Hue.", "pii.dob", "April 2, 1990"),
    # health-insurance card numbers
    ("Số thẻ BHYT: TE1 01 2345678901", "pii.bhyt", "TE1 01 2345678901"),
    ("mã thẻ bảo hiểm y tế của mẹ em là HT2790987654321 ạ", "pii.bhyt", "HT2790987654321"),
    ("BHYT CH4 79 1234567890 còn hạn", "pii.bhyt", "CH4 79 1234567890"),
    # vehicle plates
    ("Xe máy biển số 29B1-123.45 bị tạm giữ.", "pii.plate", "29B1-123.45"),
    ("Biển kiểm soát 30A 678.90, màu trắng.", "pii.plate", "30A 678.90"),
    ("Ô tô 51K-246.81 đỗ trước cổng chợ.", "pii.plate", "51K-246.81"),
    ("Biển số 60B-12345 đỗ sai quy định.", "pii.plate", "60B-12345"),
    # secrets (the value only)
    ("mật khẩu: Xuan@2024", "pii.secret", "Xuan@2024"),
    ("pass wifi nhà văn hóa là tothon2024 nha", "pii.secret", "tothon2024"),
    ("password: s3cr3t!Pass", "pii.secret", "s3cr3t!Pass"),
    ("API key: sk-proj-abcdEFGH1234ijklMNOP5678", "pii.secret", "sk-proj-abcdEFGH1234ijklMNOP5678"),
    ("Dùng token ghp_abcdefghijklmnopqrstuvwxyz0123 để đẩy mã", "pii.secret", "ghp_abcdefghijklmnopqrstuvwxyz0123"),
    ("mã OTP là 558 901, đừng đưa ai nhé", "pii.secret", "558 901"),
    ("Mã PIN: 4821", "pii.secret", "4821"),
    # an ID number named in English, also when its province code is not a real one (a practice value)
    ("I am Tran Van Binh, ID number 000000000000, and I need a new certificate.", "pii.cccd", "000000000000"),
    # a home address written in English: the kind word after the name, or before a number
    ("I am [NAME_1], living at 00 Thử Nghiệm street, Tân Mỹ ward, and I need a copy.", "pii.address",
     "00 Thử Nghiệm street, Tân Mỹ ward"),
    ("Please send it to No. 7, Lane 21, Hoa Ban Street, Ward 4, District 8, HCMC.", "pii.address",
     "No. 7, Lane 21, Hoa Ban Street, Ward 4, District 8, HCMC"),
    ("my aunt lives in Hamlet 2, Phu Loc Commune, Dai Tu District", "pii.address",
     "Hamlet 2, Phu Loc Commune, Dai Tu District"),
    ("address: 5B tran quoc toan st, ward 9, district 3", "pii.address", "5B tran quoc toan st, ward 9, district 3"),
    ("Flat 804, 11 Kim Lien Road, Phuong Mai Ward, Dong Da District, Hanoi", "pii.address",
     "Flat 804, 11 Kim Lien Road, Phuong Mai Ward, Dong Da District, Hanoi"),
    # a lone given name after an English title, whatever follows it
    ("Please call Mrs. Thoa (0900 000 000) about the form.", "pii.name", "Thoa"),
    ("Her national ID: 999 888 777 666, issued in 2021.", "pii.cccd", "999 888 777 666"),
])
def test_new_types_are_found_with_their_span(text, typ, value):
    assert (typ, value) in found(text)


@pytest.mark.parametrize("text,raw,label", [
    ("Ông Trịnh Văn Hùng ở số 5 ngõ 68 phố Cầu Giấy, phường Quan Hoa hỏi về cấp đổi sổ đỏ.", "Trịnh Văn Hùng", "[NAME_1]"),
    ("Ông Trịnh Văn Hùng ở số 5 ngõ 68 phố Cầu Giấy, phường Quan Hoa hỏi về cấp đổi sổ đỏ.", "ngõ 68 phố Cầu Giấy", "[ADDRESS_1]"),
    ("Cháu sinh ngày 05/09/2010, hỏi thủ tục làm căn cước.", "05/09/2010", "[DOB_1]"),
    ("Thẻ BHYT DN4010123456789 của tôi bị mất, xin cấp lại thế nào?", "DN4010123456789", "[BHYT_1]"),
    ("Xe 29A-888.12 của tôi bị phạt nguội, tra ở đâu?", "29A-888.12", "[PLATE_1]"),
    ("Mật khẩu VNeID của tôi là Hoa@1960, sao không đăng nhập được?", "Hoa@1960", "[SECRET_1]"),
])
def test_questions_are_redacted_with_typed_placeholders(text, raw, label):
    res = check_input(text, off=RULES_ONLY)
    assert res.decision == "warn"
    assert raw not in res.redacted and label in res.redacted
    assert raw in "".join(res.mapping.values())  # the user's own value comes back in the answer
    assert "13/2023" in res.reason("vi") and "13/2023" in res.reason("en")


def test_placeholders_and_human_labels_for_every_type():
    for typ in ("pii.name", "pii.address", "pii.dob", "pii.bhyt", "pii.plate", "pii.secret"):
        assert re.fullmatch(r"[A-Z][A-Z_]*", PLACEHOLDER[typ])
    labels = pii_labels(["pii.name", "pii.address", "pii.dob", "pii.bhyt", "pii.plate", "pii.secret"])
    assert labels["vi"] == "họ tên, địa chỉ, ngày sinh, số thẻ BHYT, biển số xe, mật khẩu/khóa bí mật"
    assert "pii." not in labels["en"] and "name" in labels["en"]


def test_explanation_lists_the_types_in_words_not_codes():
    res = check_input("Họ tên: Lương Văn Chí, sinh ngày 02/03/1971, mật khẩu: Chi@1971", off=RULES_ONLY)
    vi, en = res.reason("vi"), res.reason("en")
    assert "họ tên" in vi and "ngày sinh" in vi and "mật khẩu/khóa bí mật" in vi
    assert "name" in en and "date of birth" in en
    for code in ("pii.", "dob", "secret,", "(name"):
        assert code not in vi
    assert "đổi ngay" in vi and "change it now" in en  # a leaked password: change it
    assert all(f.message["vi"] and f.message["en"] for f in res.findings)


# ------------------------------------------------------------------ look-alikes left alone
@pytest.mark.parametrize("text", [
    "Chủ tịch UBND phường ký quyết định.",
    "Sở Nội vụ phối hợp với Phòng Tư pháp và Phòng Tài chính – Kế hoạch.",
    "Đề nghị đồng chí Trưởng phòng Nội vụ báo cáo trước ngày 15.",
    "Kính gửi: Giám đốc Sở Tài nguyên và Môi trường",
    "Bí thư Đảng ủy phường chủ trì hội nghị.",
    "Đoàn đi qua phố Trần Hưng Đạo và đường Nguyễn Huệ.",
    "Trường Tiểu học Lê Văn Tám khai giảng năm học mới.",
    "Phường Hoàng Văn Thụ, quận Hoàng Mai có 12 tổ dân phố.",
    "Tuyên truyền tư tưởng Hồ Chí Minh cho đoàn viên.",
    "Chợ Bà Chiểu mở cửa từ 5 giờ sáng.",
    "Theo Luật Cán bộ, công chức năm 2008 và Luật Bảo vệ bí mật nhà nước.",
    "Số: 15/QĐ-UBND",
    "Hà Nội, ngày 02 tháng 3 năm 2025",
    "Ngày ký: 12/12/2024. Hạn nộp hồ sơ: 30/09/2025.",
    "Căn cứ Điều 12 Nghị định 100/2019/NĐ-CP, phạt từ 2.000.000 đồng đến 4.000.000 đồng.",
    "Trụ sở Sở Tư pháp tại số 20 đường Phan Đình Phùng, phường Quán Thánh.",
    "Bộ phận một cửa đặt tại tầng 1, số 3 đường Lê Duẩn, phường Bến Nghé.",
    "Thẻ BHYT có 15 ký tự; thẻ có giá trị từ 01/01/2025 đến 31/12/2025.",
    "Nghị định 168/2024/NĐ-CP quy định mức phạt với xe không gắn biển số.",
    "Tôi quên mật khẩu đăng nhập, làm sao để lấy lại?",
    "Mật khẩu phải có ít nhất 8 ký tự, gồm chữ hoa và số.",
    "Token là gì trong mô hình ngôn ngữ lớn?",
    "Mỗi token tương ứng khoảng 4 ký tự.",
    "Thôn Đông có 120 hộ dân, xã Tiên Dương có 12 thôn.",
    "Ngõ 15 bị ngập sau mưa lớn.",
    "Họp tại phòng 302, tầng 3 nhà A.",
    "Hộp thư góp ý: gopy@phuongtanmy.gov.vn",
    "Số biên nhận 2511180042, hẹn trả ngày 25/11.",
    "Tôi sinh năm 1985, muốn hỏi về tuổi nghỉ hưu.",
    # English: an office's or a shop's address, a street in a notice, a place named, a room in a building
    "The ward's one-stop desk is located at 18 Hoa Ban Street, Ward 4, District 8.",
    "Minh Chau Pharmacy, 3 Kim Lien Road, Phuong Mai Ward, is open until 22:00.",
    "Hoa Ban Street will be closed on Sunday morning for the fun run.",
    "Hamlet 2 of Phu Loc Commune will get a new bridge next year.",
    "The meeting is in Room 3, Building B.",
    "Decision No. 12/QD-UBND of Ward 4 takes effect today.",
])
def test_look_alikes_are_left_alone(text):
    assert found(text) == []


def test_a_lone_given_name_set_off_by_a_comma_is_not_taken():
    # "Ông An, CCCD …" (tests/test_guard.py): only the number is redacted; "anh Khoa bên Sở …" is a name
    assert found("Ông An, CCCD 001203000123") == [("pii.cccd", "001203000123")]
    assert ("pii.name", "Khoa") in found("Chiều nay anh Khoa bên Sở Tài chính gọi lại.")


def test_names_in_a_question_next_to_titles():
    res = check_input("Phó Chủ tịch UBND phường giao bà Hà Thị Mến, chuyên viên Phòng Văn hóa – Thông tin, xử lý.",
                      off=RULES_ONLY)
    assert res.redacted == ("Phó Chủ tịch UBND phường giao bà [NAME_1], chuyên viên Phòng Văn hóa – Thông tin, "
                            "xử lý.")


# ------------------------------------------------------------------ the output guard
def test_output_masks_names_and_secrets_the_user_did_not_give_and_keeps_their_own():
    answer = ("Theo phiếu, người đăng ký là Nguyễn Văn An; người duyệt là bà Lò Thị Sen. "
              "Mật khẩu wifi: lachong2025.")
    res = check_output(answer, sources=[answer], user_text="Ông Nguyễn Văn An đăng ký phòng nào?")
    assert "Nguyễn Văn An" in res.redacted  # typed by the user: theirs
    assert "Lò Thị Sen" not in res.redacted and "[NAME]" in res.redacted
    assert "lachong2025" not in res.redacted and "[SECRET]" in res.redacted
    # a year the user typed does not unlock a password that merely holds the same digits
    res2 = check_output("Mật khẩu wifi: lachong2025.", sources=[], user_text="Năm 2025 phòng họp đổi mật khẩu chưa?")
    assert "lachong2025" not in res2.redacted
    assert "mật khẩu/khóa bí mật" in res.reason("vi") and "password/secret key" in res.reason("en")


def test_upload_quote_does_not_show_the_name_address_or_password(make_settings, embedder):
    from assistant.answer.types import Request
    from assistant.pipeline import Pipeline
    from assistant.private_index import PrivateIndex

    settings = make_settings()
    ix = PrivateIndex(settings=settings, embedder=embedder)
    doc = ("# Phiếu đăng ký phòng họp (tài liệu tập huấn)\n\n"
           "Điều 1. Người đăng ký\n"
           "Họ và tên: Nguyễn Văn An, người đăng ký phòng họp.\n\n"
           "Điều 2. Địa chỉ liên lạc\n"
           "Người đăng ký ở số 12 ngõ 34 phố Hàng Gai, phường Hàng Trống, quận Hoàn Kiếm.\n\n"
           "Điều 3. Mạng không dây\n"
           "Phòng họp tầng 2 có mạng riêng cho khách, mật khẩu wifi: lachong2025. Thẻ BHYT: DN4010123456789. "
           "Xe của khách đỗ ở sân sau, biển số 29A-123.45.\n")
    assert ix.add_bytes(doc.encode("utf-8"), "x.md").ok
    pipe = Pipeline(settings)
    placeholders, explained = set(), []
    for q in ("Ai là người đăng ký phòng họp?", "Người đăng ký phòng họp ở địa chỉ nào?",
              "Mật khẩu wifi phòng họp tầng 2 là gì?"):
        res = pipe.run(Request(q, private=ix, scope="private"))
        assert res.citations and res.citations[0]["source"] == "upload:x.md", (q, res.answer)
        for raw in ("Nguyễn Văn An", "Hàng Gai", "lachong2025", "DN4010123456789", "29A-123.45"):
            assert raw not in res.answer, (q, raw, res.answer)
        placeholders |= set(re.findall(r"\[[A-Z]+\]", res.answer))
        explained += [g["explanation"] for g in res.guard if g.get("stage") == "output"]
    assert {"[NAME]", "[ADDRESS]", "[SECRET]"} <= placeholders, placeholders
    assert any("họ tên" in e for e in explained) and any("mật khẩu/khóa bí mật" in e for e in explained)
    # the user's own name, typed in the question, stays theirs in the answer
    mine = pipe.run(Request("Nguyễn Văn An có phải là người đăng ký phòng họp không?", private=ix, scope="private"))
    assert "[NAME_1]" in mine.query  # searched with the name replaced
    assert "Nguyễn Văn An" in mine.answer and "[NAME]" not in mine.answer and "lachong2025" not in mine.answer


# ------------------------------------------------------------------ the evaluation keeps a floor (dev split)
def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_pii", ROOT / "evals" / "eval_pii.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# Measured on dev when tuning stopped: every type P = R = 1.000, 0 false positives on the 60 look-alike rows,
# markings recall 35/35 with 0/35 false positives. The floors leave room for one or two misses, no more.
# 2026-12-03: 35 English dev rows added (ph-391..460, 12 of them look-alikes): after the English address
# parts, address and name recall 1.000 on dev, 1 false positive ("Ba Dinh" read as "bà Dinh") on 71 rows.
PII_FLOOR = {"precision": 0.9, "recall": 0.9}
MICRO_FLOOR = {"precision": 0.97, "recall": 0.97}


def test_pii_and_markings_evaluation_on_dev_keeps_its_floor():
    ev = _eval_module()
    res = ev.evaluate(("dev",))["dev"]
    pii = res["pii"]
    assert set(pii["per_type"]) == {"pii.cccd", "pii.cmnd", "pii.phone", "pii.email", "pii.tax_code", "pii.bank_account",
                                    "pii.passport", "pii.name", "pii.address", "pii.dob", "pii.bhyt", "pii.plate",
                                    "pii.secret"}
    low = {t: m for t, m in pii["per_type"].items()
           if m["precision"] < PII_FLOOR["precision"] or m["recall"] < PII_FLOOR["recall"]}
    assert not low, low
    assert pii["micro"]["precision"] >= MICRO_FLOOR["precision"] and pii["micro"]["recall"] >= MICRO_FLOOR["recall"]
    assert pii["lookalike_rows"] == 71 and pii["lookalike_false_positives"] <= 2
    mk = res["markings"]
    assert mk["block_rows"] == 35 and mk["recall"] >= 0.94 and mk["false_positives"] <= 1


def test_span_matching_rule_of_the_evaluation():
    ev = _eval_module()
    gold = [("pii.name", 10, 24)]
    assert ev.match(gold, [("pii.name", 12, 30)]) == ({0}, {0})  # overlaps 12 of 14 characters
    assert ev.match(gold, [("pii.name", 20, 30)]) == (set(), set())  # 4 of 14: less than half
    assert ev.match(gold, [("pii.address", 10, 24)]) == (set(), set())  # another type


def test_evaluation_never_lists_test_rows(capsys):
    ev = _eval_module()
    with pytest.raises(ValueError):
        ev.evaluate(("test",), keep_errors=True)
    assert ev.main(["--split", "test", "--errors"]) == 2

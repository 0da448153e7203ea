"""Importing stakeholder comments and staff replies from a CSV file."""

import datetime

import pytest

from portal.auth.models import StaffUser
from portal.feedback.models import Comment, Thread
from portal.feedback.operations import period_containing
from portal.plan.models import MonitoringPeriod
from portal.review.importing import FeedbackFileError, import_feedback
from portal.stakeholders.models import Stakeholder
from portal.stakeholders.roster import import_roster
from tests.test_review_summary import FEEDBACK, ROSTER, link_reply_people

HEADER = "posted_at,author_email,stakeholder_group,target,language,body,reply_by,replied_at,reply_body\n"


@pytest.fixture
def roster(plan):
    import_roster(str(ROSTER), actor="test")
    return plan


def write(tmp_path, text):
    path = tmp_path / "feedback.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_file_imported(app, roster):
    link_reply_people(roster)
    result = import_feedback(roster, str(FEEDBACK), "test")

    assert result.threads == 32
    assert result.replies == 22
    assert result.rejected == []
    assert result.replies_left_out == []
    assert Thread.select().count() == 32
    assert Thread.select().where(Thread.state == "answered").count() == 22
    assert Thread.select().where(Thread.state == "awaiting_reply").count() == 10


def test_sample_times_stored_as_utc(app, roster):
    link_reply_people(roster)
    import_feedback(roster, str(FEEDBACK), "test")

    author = Stakeholder.get(Stakeholder.email == "tbrooks@harborcity.example.org")
    first = Comment.select().where(Comment.stakeholder == author).order_by(Comment.created_at).first()
    # 2025-09-18T16:02:00-04:00 is 20:02 UTC.
    assert first.created_at == datetime.datetime(2025, 9, 18, 20, 2)
    assert first.thread.created_at == datetime.datetime(2025, 9, 18, 20, 2)
    reply = Comment.select().where((Comment.thread == first.thread) & Comment.staff.is_null(False)).get()
    assert reply.created_at == datetime.datetime(2025, 9, 22, 13, 15)
    assert reply.staff.person.key == "talent-manager"
    assert first.thread.last_activity_at == datetime.datetime(2025, 9, 22, 13, 15)
    # 2025-11-04T18:30:00-05:00, after the change from daylight time, is 23:30 UTC.
    mae = Stakeholder.get(Stakeholder.email == "mae.johnson@mail.example.com")
    assert Comment.get(Comment.stakeholder == mae).created_at == datetime.datetime(2025, 11, 4, 23, 30)


def test_sample_periods_assigned(app, roster):
    import_feedback(roster, str(FEEDBACK), "test")

    def period_of(email, strategy_key):
        person = Stakeholder.get(Stakeholder.email == email)
        threads = [thread for thread in Thread.select().where(Thread.stakeholder == person) if thread.strategy.key == strategy_key]
        return [thread.period.key for thread in threads]

    # A strategy comment goes to the window containing its local date.
    assert period_of("zoe.hart@students.harborcity.example.org", "early-hiring") == ["3m"]
    assert period_of("mae.johnson@mail.example.com", "leadership-conditions") == ["6m"]
    # A benchmark comment goes to the benchmark's period, though posted in the 2y window.
    assert period_of("grace.kim@harborboard.example.org", "early-hiring") == ["1y"]
    counts = {key: Thread.select().join(MonitoringPeriod).where(MonitoringPeriod.key == key).count() for key in ("3m", "6m", "1y", "2y")}
    assert counts == {"3m": 8, "6m": 7, "1y": 11, "2y": 6}


def test_import_twice_adds_nothing(app, roster):
    link_reply_people(roster)
    import_feedback(roster, str(FEEDBACK), "test")
    comments = Comment.select().count()

    again = import_feedback(roster, str(FEEDBACK), "test")

    assert again.threads == 0
    assert again.replies == 0
    assert again.unchanged == 32
    assert Comment.select().count() == comments


def test_reply_without_staff_account_reported(app, roster):
    result = import_feedback(roster, str(FEEDBACK), "test")

    assert result.threads == 32
    assert result.replies == 0
    assert len(result.replies_left_out) == 22
    first = result.replies_left_out[0]
    assert first.row == 2
    assert "no staff account is linked to 'talent-manager'" in first.reason
    assert "add-staff EMAIL --role point-person --person talent-manager" in first.reason
    assert Comment.select().where(Comment.staff.is_null(False)).count() == 0

    link_reply_people(roster)
    later = import_feedback(roster, str(FEEDBACK), "test")

    assert later.threads == 0
    assert later.replies == 22
    assert Thread.select().where(Thread.state == "answered").count() == 22


def test_dry_run_saves_nothing(app, roster):
    result = import_feedback(roster, str(FEEDBACK), "test", dry_run=True)

    assert result.threads == 32
    assert Thread.select().count() == 0
    assert Comment.select().count() == 0


BAD_ROWS = [
    ("2025-09-18T16:02:00-04:00,nobody@mail.example.com,Parent,novice-mentoring,en,Hello,,,", "author 'nobody@mail.example.com' is not on the roster; import the roster first"),
    ("2025-09-18T16:02:00-04:00,rosa.alvarez@mail.example.com,Parent,no-such-strategy,en,Hello,,,", "target strategy 'no-such-strategy' is not in the plan; use one of"),
    ("2025-09-18T16:02:00-04:00,rosa.alvarez@mail.example.com,Parent,novice-mentoring/no-such/3m,en,Hello,,,", "indicator 'no-such' is not in strategy 'novice-mentoring'"),
    ("2025-09-18T16:02:00-04:00,rosa.alvarez@mail.example.com,Parent,novice-mentoring/mentor-assigned/9y,en,Hello,,,", "period '9y' is not in the plan"),
    ("2025-09-18T16:02:00-04:00,rosa.alvarez@mail.example.com,Parent,residency-pipeline/first-year-share/3m,en,Hello,,,", "has no benchmark for period '3m'; target the strategy instead"),
    ("2025-09-18T16:02:00-04:00,rosa.alvarez@mail.example.com,Parent,a/b,en,Hello,,,", "neither a strategy key nor strategy/indicator/period"),
    ("yesterday,rosa.alvarez@mail.example.com,Parent,novice-mentoring,en,Hello,,,", "posted_at 'yesterday' is not an ISO 8601 time"),
    ("2025-09-18T16:02:00,rosa.alvarez@mail.example.com,Parent,novice-mentoring,en,Hello,,,", "has no UTC offset; add one"),
    ("2025-09-18T16:02:00-04:00,rosa.alvarez@mail.example.com,Parent,novice-mentoring,xx,Hello,,,", "language 'xx' is not one of en, es"),
    ("2025-09-18T16:02:00-04:00,rosa.alvarez@mail.example.com,Parent,novice-mentoring,en,,,,", "missing body"),
    ("2025-09-18T16:02:00-04:00,rosa.alvarez@mail.example.com,Parent,novice-mentoring,en,Hello,induction-director,,Thanks", "the reply lacks replied_at"),
    ("2025-09-18T16:02:00-04:00,rosa.alvarez@mail.example.com,Parent,novice-mentoring,en,Hello,induction-director,2025-09-17T10:00:00-04:00,Thanks", "is before posted_at"),
    ("2024-01-05T10:00:00-05:00,rosa.alvarez@mail.example.com,Parent,novice-mentoring,en,Hello,,,", "no open or upcoming monitoring period contains 2024-01-05T10:00:00-05:00"),
    (",,,,,,,,", "blank row"),
]


def test_bad_rows_rejected_with_reasons(app, roster, tmp_path):
    good = "2025-09-25T19:40:00-04:00,ROSA.ALVAREZ@mail.example.com ,Parent,novice-mentoring,es,Bien,,,"
    path = write(tmp_path, HEADER + "\n".join(row for row, _reason in BAD_ROWS) + "\n" + good + "\n")

    result = import_feedback(roster, str(path), "test")

    assert [problem.row for problem in result.rejected] == list(range(2, 2 + len(BAD_ROWS)))
    for problem, (_row, reason) in zip(result.rejected, BAD_ROWS):
        assert reason in problem.reason, (problem.row, problem.reason)
    assert result.threads == 1
    assert Thread.select().count() == 1


def test_unknown_reply_person_reported(app, roster, tmp_path):
    path = write(tmp_path, HEADER + "2025-09-25T19:40:00-04:00,rosa.alvarez@mail.example.com,Parent,novice-mentoring,es,Hola,nobody,2025-09-26T10:00:00-04:00,Gracias\n")

    result = import_feedback(roster, str(path), "test")

    assert result.threads == 1
    assert [problem.row for problem in result.replies_left_out] == [2]
    assert "reply_by 'nobody' is not a person key of the plan" in result.replies_left_out[0].reason


def test_file_without_columns_rejected(app, roster, tmp_path):
    path = write(tmp_path, "when,who\n2025-09-25,rosa\n")

    with pytest.raises(FeedbackFileError) as error:
        import_feedback(roster, str(path), "test")

    assert "lacks the column(s) posted_at, author_email, target, language, body" in error.value.message


def test_file_not_utf8_rejected(app, roster, tmp_path):
    path = tmp_path / "feedback.csv"
    path.write_bytes(HEADER.encode() + "2025-09-25T19:40:00-04:00,a,b,c,es,Espa\xf1ol\n".encode("latin-1"))

    with pytest.raises(FeedbackFileError, match="not UTF-8 text; save it as CSV UTF-8"):
        import_feedback(roster, str(path), "test")


def test_command_prints_counts(app, roster, runner):
    link_reply_people(roster)
    result = runner.invoke(args=["portal", "import-feedback", str(FEEDBACK)])

    assert result.exit_code == 0, result.output
    assert "Added 32 thread(s) and 22 staff reply(ies)." in result.output
    assert "Rejected 0 rows." in result.output

    again = runner.invoke(args=["portal", "import-feedback", str(FEEDBACK)])
    assert "Added 0 thread(s) and 0 staff reply(ies)." in again.output
    assert "Already imported, left unchanged: 32 rows." in again.output


def test_command_dry_run_and_left_out_replies(app, roster, runner):
    result = runner.invoke(args=["portal", "import-feedback", "--dry-run", str(FEEDBACK)])

    assert result.exit_code == 0, result.output
    assert "Would add 32 thread(s) and 0 staff reply(ies); nothing was saved (dry run)." in result.output
    assert "Imported the comment but not the reply in 22 rows:" in result.output
    assert "  row 2: no staff account is linked to 'talent-manager'" in result.output
    assert Thread.select().count() == 0
    assert StaffUser.select().count() == 0


def test_command_rejects_unreadable_file(app, roster, runner, tmp_path):
    path = write(tmp_path, "when,who\n")

    result = runner.invoke(args=["portal", "import-feedback", str(path)])

    assert result.exit_code == 1
    assert "was not imported: the header row lacks the column(s)" in result.output


def test_period_containing_skips_closed_period(app, plan):
    three_months = MonitoringPeriod.get(MonitoringPeriod.key == "3m")
    moment = datetime.datetime(2025, 9, 18, 20, 2)
    assert period_containing(plan, moment).key == "3m"

    three_months.state = "closed"
    three_months.save()
    assert period_containing(plan, moment).key == "6m"

    MonitoringPeriod.update(state="closed").where(MonitoringPeriod.key == "6m").execute()
    assert period_containing(plan, moment).key == "1y"

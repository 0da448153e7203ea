"""The navigation's waiting and overdue counts agree with the inbox they summarise."""

import datetime

from portal.db import utcnow
from portal.feedback.models import Thread
from portal.feedback.operations import assign, start_thread
from portal.plan.models import Benchmark, LeadingIndicator, Strategy


def test_counts_match_inbox(plan, staff, invite):
    invitation, _token = invite(email="rosa@mail.example.com")
    stakeholder = invitation.stakeholder
    threads = []
    for strategy in Strategy.select():
        threads.append(start_thread(stakeholder, strategy, None, "On the strategy", "en"))
        for benchmark in Benchmark.select().join(LeadingIndicator).where(LeadingIndicator.strategy == strategy).limit(2):
            threads.append(start_thread(stakeholder, strategy, benchmark, "On a benchmark", "en"))
    # Half the threads have waited ten days, so they are overdue.
    cutoff = utcnow() - datetime.timedelta(days=5)
    old_ids = [thread.id for thread in threads[::2]]
    Thread.update(last_activity_at=utcnow() - datetime.timedelta(days=10)).where(Thread.id.in_(old_ids)).execute()
    induction_thread = next(thread for thread in threads if thread.strategy.key == "novice-mentoring")
    assign(induction_thread, staff["admin"], staff["talent"])

    for user in (staff["induction"], staff["talent"]):
        scope = {"person_id": user.person_id, "staff_id": user.id}
        waiting = Thread.inbox(**scope, state="awaiting_reply").count()
        overdue = Thread.inbox(**scope, state="overdue", overdue_before=cutoff).count()
        assert waiting > 0
        assert Thread.waiting_counts(cutoff, **scope) == (waiting, overdue)
    everyone = Thread.inbox(state="awaiting_reply").count()
    assert Thread.waiting_counts(cutoff) == (everyone, len(old_ids))

"""The daily jobs' shared hand-over loop (commitments/delivery.py): every digest is handed
over, a failed one is counted and named and does not stop the others."""

from commitments.delivery import DeliveryResult, DigestDeliveryError, RunResult, hand_over


def test_a_failed_digest_is_counted_named_and_does_not_stop_the_others():
    handed, said = [], []

    def deliver(recipient_id, mailbox):
        handed.append(recipient_id)
        if recipient_id == 2:
            raise DigestDeliveryError("SMTP refused")
        return DeliveryResult(sent=1, email_sent=recipient_id != 3)

    result = hand_over(
        RunResult(record="recorded", abandoned_failed=4),
        [(1, ""), (2, ""), (3, ""), (None, "secretariat@example.org")],
        deliver,
        describe=lambda target: f"recipient {target[0]}" if target[0] else target[1],
        progress=said.append,
    )
    assert handed == [1, 2, 3, None]
    assert (result.digests_dispatched, result.digests_sent, result.digests_failed) == (3, 2, 1)
    assert (result.record, result.abandoned_failed) == ("recorded", 4)
    assert said == ["digest 2/4 (recipient 2) failed: SMTP refused", "digests: 4/4 handed over"]


def test_single_targets_are_passed_as_they_are():
    result = hand_over(RunResult(record=None), [7, 8], lambda follower: None, describe=str)
    assert (result.digests_dispatched, result.digests_sent) == (2, 0)

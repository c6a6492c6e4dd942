"""Events between capabilities, so a view never calls the builder, mail or search directly.

Each signal is sent after its transaction has committed, with the app as sender and the
affected row's id as ``id``.
"""

from blinker import Namespace

_signals = Namespace()

question_asked = _signals.signal("question-asked")
question_changed = _signals.signal("question-changed")  # follow-up, accept, reroute
answer_posted = _signals.signal("answer-posted")
answer_edited = _signals.signal("answer-edited")
people_changed = _signals.signal("people-changed")  # staff or topic added, edited, disabled
question_edited = _signals.signal("question-edited")  # the asker edited their question
question_deleted = _signals.signal("question-deleted")  # the asker erased their question
curated_picked = _signals.signal("curated-picked")  # a feed entry became a curated article
question_hidden = _signals.signal("question-hidden")  # a moderator hid or rejected a question
email_opt_in = _signals.signal("email-opt-in")  # an asker gave an email; id = NotificationEmail
contact_requested = _signals.signal("contact-requested")  # a lead; id = ContactRequest
question_assigned = _signals.signal("question-assigned")  # handed to a colleague; by = who
site_changed = _signals.signal("site-changed")  # the company identity changed; no id

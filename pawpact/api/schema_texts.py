"""Texts the API schema shows that are not gettext calls where they are written, listed here
so that `makemessages` keeps their translations (pawpact/locale) and `?lang=zh-hans` finds them.
The schema translates them when it is built: operation and component descriptions taken from
docstrings (pawpact.api.openapi.AutoSchema), the error catalogue's meanings taken from the error
classes' docstrings (pawpact.api.catalogue.catalogue_markdown), drf-spectacular's own texts, and
the record names of `id_parameter`. tests/api/test_schema_chinese.py fails when one is missing.
Nothing imports these tuples at run time."""
from django.utils.translation import gettext_noop as _

# Views' and serializers' docstrings shown as descriptions.
DOCSTRINGS = (
    _("For a serializer whose `expandable` fields ({field name: expand path}) are answered only\nwhen "
       "the request's `expand[]` names their path (the view puts the validated set in the\ncontext as "
       "`expand`). The schema shows them all, as optional properties: declare them\nrequired=False and "
       "not read-only."),
    _("For an APIView whose success is a file response: negotiation accepts the document's\ntype, and "
       "an error (a Response) is rendered as JSON whatever was asked for."),
    _("Sign a staff member or customer of this shop in on one device: an access token (valid "
       "two\nhours) and a refresh token (valid 30 days, one exchange each) for that device."),
    _("Exchange a device's refresh token for a new access and refresh token. Each refresh token\nworks "
       "once: presenting one that was already exchanged signs that device out."),
    _("Sign in from a WeChat mini-program with the code of `wx.login()`. The WeChat user must\nhave "
       "been linked to a login of this shop once (`/auth/wechat/link`), else 401\n`wechat_not_linked`. "
       "The shop's mini-program answers (its app id and AppSecret, verified by\nthe platform); a "
       "test-mode shop without one takes the sandbox's codes (`wx_test_<anything>`),\nwhich live mode "
       "refuses (422 `sandbox_in_live_mode`)."),
    _("Link the signed-in user's WeChat account (a fresh `wx.login()` code), so the mini-program\nsigns "
       "them in with `/auth/wechat` from then on."),
    _("Sign out of the API on this device: its access and refresh tokens stop working."),
    _("The devices you are signed in on, most recently used first."),
    _("This shop's staff members, newest first; staff only."),
    _("The web origins whose pages may call this shop's API from a browser (CORS); owner only.\nNone by "
       "default: add your H5 frontend's origin before calling the API from its pages."),
    _("Secret keys for the shop's servers (owner): `Authorization: Bearer sk_…` acts with the "
       "owner's\nstaff permissions until revoked. Listed with their last four characters only."),
    _("An entitlement as stored. Not the input serializer: the plan service takes any "
       "positive\nquantity (the seeded premium plan has 2,000 g of food), while the API's input caps it, "
       "and\nan answer described by the input's limits fails its own schema."),
    _("The terms to change; every term left out is copied from the plan's current version."),
    _("Only the metadata changes here: a contract's terms are fixed by its plan version and signature."),
    _("The applicant's consent to the credit check, as they saw it."),
    _("Public: a frontend shows the plans before anyone signs in."),
    _("Public to read: a mini-program shows the services before anyone signs in."),
    _("The details to change; the rest stays."),
    _("The details to change; the rest stays (the owner does not change here)."),
    _("A customer opens an account at this shop (self-service): the answer is the same whether or\nnot "
       "the email or phone is known here; the code mailed to a new address and the one texted to\na new "
       "number finish it at `/customers/register/confirm`."),
    _("Finish a registration with the emailed and the texted code: the login, the customer and "
       "a\nsigned-in device."),
    _("One customer: staff read and edit any customer of the shop, a customer only themself\n(anyone "
       "else's record answers 404)."),
    _("One pet: staff read and edit any pet of the shop, a customer only their own."),
    _("Text a sign-in code to a phone number. The answer is the same whether or not the number\nis a "
       "customer's here; a number gets at most one text a minute and five a day."),
    _("Sign in with a phone number and its texted code: a customer of the shop is signed in on\na new "
       "device; a number new here registers with `name` and `birth_date` (201). Wrong codes\ncount "
       "toward the same lockout as wrong passwords (429)."),
    _("This shop's KPIs and the facts behind them, month by month (oldest first)."),
    _("This shop's value of every KPI beside the quartiles across all shops (anonymous)."),
    _("Test mode only: the texts the sandbox SMS provider \"sent\" to a number of this shop,\nnewest "
       "first (at most 20, kept a day). A test number has no handset: this is where a\nfrontend "
       "developer reads the registration code the sandbox sent."),
    _("Only the metadata changes here: the rail's reference and label are the rail's."),
    _("What an anonymous applicant gets back: no one else's details."),
    _("Each value within its bounds here (stated in the schema); whether the fee is below the\nadvance "
       "at the rate given is the funding service's check (`invalid_funding_terms`)."),
    _("The shop's advances, newest first; `?status=` filters."),
    _("The shop's payouts, newest first, each with its statement's addresses."),
    _("Every shop with a value of the KPI for the month, best first, with the quartiles."),
    _("POST pins a shop's risk state with a reason; DELETE lifts the pin (with a reason),\nreturning "
       "the shop to its computed state. Every change is logged."),
    _("Public: no token needed; the shop is the host called."),
    _("Only the metadata changes here: an order's lines and amounts are fixed once placed."),
    _("A plan box's reship: no shipment until the shop approves it (an order's has one at once)."),
    _("A plan's monthly box: its shipment and any reship asked for it."),
    _("Public: a mini-program shows the mall before anyone signs in (items carry no customer data)."),
    _("Event types outside the catalogue answer the documented `webhook_events_invalid`, with\nevery "
       "other invalid field reported beside them."),
    _("An endpoint's deliveries, newest first: status, attempts, the last answer."),
    _("Where a developer starts: which shop this host is, the API version, the docs and schema."),
)

# The error classes' meanings in the catalogue (one per code).
ERROR_MEANINGS = (
    _("A callback or request whose signature, timestamp or nonce is not acceptable."),
    _("A cart line of more than 99 of one product."),
    _("A code was sent less than a minute ago."),
    _("A coupon is used at most once; this one is used (or withdrawn)."),
    _("A date of birth or adoption after today, or an adoption before the pet was born."),
    _("A debit of this contract is being processed: retry in a few minutes."),
    _("A deferral coupon cannot be used on this period."),
    _("A key needs a name (up to 100 characters) saying which system holds it."),
    _("A ledger journal that does not sum to zero (a bug; nothing was written)."),
    _("A mall item with no stock left (or no longer on sale)."),
    _("A move its state machine does not allow from the current state: 409, one code for every such "
       "refusal (the state changed under the caller, or the step makes no sense now)."),
    _("A password the shop's password policy refuses (too common, all digits, like the name or email)."),
    _("A pet archive entry breaks a rule: a weight of zero or less, a date in the future, a next due "
       "before the date."),
    _("A phone number belongs to one customer of the shop only."),
    _("A phone number in E.164 form that no carrier can have: libphonenumber's rules for its country "
       "code refuse it."),
    _("A photo or evidence file of the wrong type or too large."),
    _("A plan's terms that break a rule together (a fulfilment reward after the last period)."),
    _("A price under the warehouse's cost needs an explicit confirmation."),
    _("A product's fields break the catalogue's rules (price, stock, images)."),
    _("A provider (payments, messages, a partner) did not answer or is not set up: try again later."),
    _("A provider notification that is forged, stale, malformed or not ours."),
    _("A query parameter named a shop: the shop is the host called, never a parameter."),
    _("A query parameter the operation does not take: nothing in a request is silently ignored."),
    _("A reconciliation mismatch resolved without a reason a person may give, or without a note."),
    _("A redemption beyond the points available (frozen points are not available)."),
    _("A referral code that cannot apply: one's own, a loop, an unknown code, already referred."),
    _("A refresh token was presented after it had been exchanged: the device is signed out, sign in "
       "again."),
    _("A refund larger than what is left, of an unpaid order, or while another is on its way."),
    _("A registration or sign-in code (emailed or texted) is wrong or expired, or nothing awaits it: "
       "ask for a new one."),
    _("A request with this key is still being processed: retry after it finishes."),
    _("A reship cannot be asked for this parcel (not delivered yet, too late, or already asked)."),
    _("A sandbox provider (payment token, credit score, SMS) asked to act for live money."),
    _("A signed or active contract debits this payment method: replace it there first."),
    _("A staff write to the back office of a shop whose subscription is read-only."),
    _("A statement import for an unknown provider, a future day, or a provider that needs its file."),
    _("A stored-value refund request the shop does not take: no refunds, nothing paid, one already "
       "open."),
    _("A test key (`sk_test_`) sent to a live shop, or a live key (`sk_live_`) to a shop in test mode."),
    _("A verified phone number no customer of the shop has: send `name` and `birth_date` with the same "
       "code to register."),
    _("A webhook URL must be https in live mode (http is accepted in test mode) and not point at this "
       "platform."),
    _("A webhook that is not a genuine, fresh Stripe event."),
    _("An `expand[]` path this operation does not offer: the message lists those it does."),
    _("An account, or another customer, with this email exists at this shop."),
    _("An advance must name one target after the clock's time and at most 400 days ahead."),
    _("An exit survey is answered once."),
    _("An uploaded statement file that is not the provider's format, or has a bad line."),
    _("Another shop already has this address (slug): choose another."),
    _("Changes and cancellations close 2 hours before the appointment (staff may still act)."),
    _("Checkout before the customer saved a delivery address."),
    _("Checkout of a cart with nothing in it."),
    _("Delisted, sold out, or not from the shop's warehouse."),
    _("Funding terms invalid."),
    _("Live mode needs every provider's credentials and the shop's checks to pass first."),
    _("Moving a parcel's time is for a shop in test mode, on a parcel waiting at the warehouse."),
    _("New signings are blocked at this shop (risk controls, or the shop is closed)."),
    _("No code was sent in the last 10 minutes."),
    _("No customer with this id at this shop."),
    _("No override."),
    _("No payout with this id for this shop (platform API)."),
    _("No shop with this id (platform API)."),
    _("No subscription."),
    _("No such payment rail: use one the schema lists (`sandbox`, `stripe`, `alipay`, `wechat`)."),
    _("No such pet at this shop (a customer names only their own pets)."),
    _("No such plan version at this shop."),
    _("Not a web origin: `https://host` (or `http://localhost:port` while developing), no path."),
    _("Nothing to pay."),
    _("Only adults (18 or older) sign a contract."),
    _("Only an open test-mode contract that is on no other clock can be attached to a clock."),
    _("Override reason missing."),
    _("Pet death or loss needs a file or a note of at least 10 characters."),
    _("Real providers never act for test-mode records: pretend money must stay pretend."),
    _("Saas invoice not found."),
    _("Secret keys are made, rolled and revoked by an owner signed in on a device, not by a key."),
    _("Shop not closed."),
    _("Shop not found."),
    _("Signed in, but this operation or record is not for you (staff only, another role, or not a "
       "customer)."),
    _("Spending or refunding beyond the stored value there is."),
    _("Staff act on a customer's behalf and must name the customer (customers act for themselves)."),
    _("Subscribe to at least one event type of the catalogue (`GET /webhook-event-types`)."),
    _("Subscription exists."),
    _("Test clocks exist in test mode only: live contracts always run on real time."),
    _("The `Idempotency-Key` header is empty, too long or has characters other than visible ASCII."),
    _("The `Pawpact-Version` header names no version of this API (see docs/api-changelog.md)."),
    _("The access token has expired: exchange the device's refresh token at `/auth/refresh`."),
    _("The agreement PDF exists once the contract is signed."),
    _("The agreement is signed already; a code works once."),
    _("The amount is over the per-debit cap of the rail."),
    _("The application has been decided already."),
    _("The application is incomplete: contact, housing, experience, consent."),
    _("The booked visit is still to come: it cannot be marked completed before its time."),
    _("The booking breaks a rule: a past time, outside working hours, someone else's pet."),
    _("The booking is not in a state that allows this (e.g. already cancelled or not started)."),
    _("The claim has been decided already, or the pet has an open claim."),
    _("The claim is outside the guarantee window, without a vet's evidence, for an unlisted condition "
       "or someone else's pet."),
    _("The clock is being advanced by another request: wait for it to finish."),
    _("The complaint is incomplete or links a record that is not the customer's."),
    _("The complaint is not in a state that allows this step."),
    _("The contract cannot be bought on the shop's terms (the fee eats the whole advance)."),
    _("The contract changed since the quote (a debit was paid): ask for a new one."),
    _("The contract has been renewed already."),
    _("The contract has no termination record: it has not ended."),
    _("The contract has no unused deferral coupon."),
    _("The contract's debit calendar exists already."),
    _("The contract's shipments are held already; release the hold first."),
    _("The cooling-off period has ended."),
    _("The coupon does not apply here: another kind of coupon, below its minimum spend, or nothing to "
       "credit it against."),
    _("The coupon is past its last day, or not valid yet."),
    _("The credit check runs (in both modes) only after the applicant agreed to it."),
    _("The credit provider gave no score (the customer has not authorised it, or it refused)."),
    _("The customer has a login already."),
    _("The customer has a paid membership in force already (one at a time)."),
    _("The customer holds as many coupons of the template as one customer may."),
    _("The customer's pet-loss report is with the shop already, waiting for a decision."),
    _("The early-termination penalty rate is above 10%."),
    _("The email and password (or the token) do not sign anyone in at this shop."),
    _("The key was used before for a different request (another body, operation or record)."),
    _("The new shop could not be set up: nothing was kept; try again or contact support."),
    _("The order is not awaiting payment any more (paid, cancelled or expired)."),
    _("The parcel has left the warehouse (or the order is already closed)."),
    _("The partner does not take this now: delisted, or not in the state the action needs."),
    _("The payment provider declined the charge: `decline_code` says why (`insufficient_funds`, `hard_decline`, "
       "`invalid_token`, `declined`) and `message` in words; `fields` gives the reason under the payment-method "
       "field sent (`payment_method_id`, `token`), or under `non_field_errors` when the contract's saved method "
       "was charged. Nothing was kept. The `Idempotency-Key` keeps this answer: try another payment method with a "
       "new key."),
    _("The payment provider did not carry out the refund: nothing was refunded; try again later."),
    _("The payment provider has not answered, so whether the charge went through is not known yet; nothing is "
       "charged twice. Retry the same request (the same `Idempotency-Key` is fine): it asks the provider again "
       "and answers the outcome."),
    _("The period or its contract is in a state that cannot be charged."),
    _("The pet is already under an open contract."),
    _("The pet is no longer listed for adoption."),
    _("The pet's plan has no unit of this entitlement left for the appointment's period, or none at "
       "all."),
    _("The provider answered, and said no (agreement calls, certificate downloads, ...)."),
    _("The provider refused the saved credentials: check and save them again."),
    _("The provider's credentials (keys, certificates) needed for live mode are not saved yet."),
    _("The public site has no KPIs of its own."),
    _("The rail refused the payment method (unknown, or not the customer's)."),
    _("The rating is not 1 to 5 stars, or the service is not completed yet."),
    _("The reconciliation mismatch was resolved already; its resolution stands."),
    _("The record's current state, or a request running at once, does not allow this: read it again, "
       "retry."),
    _("The refresh token is unknown, expired, or its device was signed out: sign in again."),
    _("The renewal offer was accepted already (with another option)."),
    _("The request has no (or an incomplete) signature."),
    _("The resource is already booked at an overlapping time."),
    _("The same idempotency key was sent with different charge parameters: a caller bug."),
    _("The secret API key is unknown here: revoked, mistyped, or another shop's."),
    _("The shop already allows the most origins it may (20): remove one first."),
    _("The shop already has the most secret keys it may (20 unrevoked): revoke one first."),
    _("The shop cannot change warehouses while orders are still open with the current one."),
    _("The shop's Pawpact plan allows no more active contracts."),
    _("The signed timestamp is not a number or more than five minutes off."),
    _("The signing code is wrong or expired."),
    _("The signing link expired: the customer asks the shop for a new one."),
    _("The signing link has been used already."),
    _("The termination quote is older than 24 hours: ask for a new one."),
    _("The termination was recorded with a note only, no file."),
    _("The warehouse answered 4xx: the same request will not succeed."),
    _("The warehouse did not answer, or answered 5xx: try again later with the same ids."),
    _("The warehouse has fewer in stock than asked for: nothing was reserved."),
    _("The win-back code is past its date."),
    _("The win-back code was used, or the contract has a win-back discount already."),
    _("This WeChat user is already linked to another login of this shop."),
    _("This WeChat user is not linked to a login of this shop yet: sign in once and link it."),
    _("This operation needs an `Idempotency-Key` header."),
    _("This payment rail is not set up for the shop: try another payment method."),
    _("This service has been rated already: one rating per completed service."),
    _("This signed request (its nonce) was received before."),
    _("Too early for this period, or outside the hours its rail allows."),
    _("Too many wrong signing codes: ask for a new signing link."),
    _("Two neighbouring periods cannot both be deferred."),
    _("Unknown risk state."),
    _("Unknown saas plan."),
    _("Unknown, replaced, expired or already used: the customer asks the shop for a new link."),
    _("WeChat login is not set up for this shop, or WeChat did not answer: try again later."),
    _("WeChat refused the login `code` (expired, used, or from another mini-program)."),
    _("Webhook payload invalid."),
    _("Webhook signature invalid."),
    _("Webhook timestamp future."),
    _("Webhook timestamp stale."),
    _("Well formed, but a rule of the shop refuses it: `message` says which rule."),
    _("`metadata` is written by the shop's staff and secret keys only, never by a customer's token."),
)

# drf-spectacular's own texts, which it passes through gettext.
LIBRARY = (
    _("| status | code | meaning |"),  # the error catalogue's table head (catalogue_markdown)
    _("No response body"),
    _("Unspecified response body"),
    _("Token-based authentication with required prefix \"%s\""),
)

# What `id_parameter` names (pawpact.api.opaque_ids).
RECORD_NAMES = (
    _("payout"),
    _("call task"),
    _("booking"),
    _("coupon template"),
    _("membership plan"),
    _("product"),
)

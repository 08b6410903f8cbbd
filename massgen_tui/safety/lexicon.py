"""Words that tell what a tool does: verbs by effect, nouns that mean "outside the machine".

The lists are general English and API vocabulary, not names of tools in any corpus. Each effect class
maps to a plain-words explanation used in the classification's reasons.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())

# --- verbs that make a tool irreversible -------------------------------------------------------
DESTRUCTIVE = _words(
    """delete del remove rm drop destroy purge erase wipe truncate clear prune unlink rmdir uninstall
    revoke discard kill terminate shred nuke evict expunge flush reset empty burn ban kick
    deactivate disable suspend block cancel abort"""
)
OVERWRITE = _words(
    """write overwrite replace edit modify update set put patch save rename move mv apply upsert change
    alter restore rollback revert migrate sync chmod chown rewrite replay reorder assign configure
    unset"""
)
SEND = _words(
    """send post publish tweet reply comment notify email mail sms text push upload share invite
    broadcast forward submit dm announce webhook dispatch respond retweet like follow unfollow star
    react mention"""
)
MONEY = _words(
    """pay charge transfer refund purchase buy checkout invoice subscribe withdraw deposit trade sell
    bid donate tip order book reserve bill checkout swap stake unstake mint lend borrow"""
)
DEPLOY = _words(
    """deploy merge release rollout promote provision scale restart reboot shutdown launch install
    approve reject sign accept confirm agree vote rsvp"""
)
EXEC = _words(
    """exec execute run eval evaluate spawn interpret invoke"""
)
PAGE_INTERACTION = _words(
    """click dblclick tap type fill press select drag drop submit upload dialog check uncheck keypress
    keydown"""
)

# --- verbs that leave things as they were (or only add) ---------------------------------------
READ = _words(
    """get list read search find show describe view count status diff log inspect explain lookup look
    browse snapshot screenshot wait echo convert calculate compute summarize analyze validate
    preview retrieve watch tail head stat info ls cat grep whoami ping print peek scan measure
    estimate sum tree resolve parse render translate think recall sample exists query fetch download
    open return returns lint check verify test tokenize embed health version help compare explore discover detect identify extract classify
    recognize transcribe summarise analyse"""
)
ADDITIVE = _words(
    """create add append insert new make mkdir init initialize stage commit branch tag record note
    remember store register annotate bookmark label stash generate index draft"""
)
SESSION = _words(
    """toggle switch checkout hover resize back forward reload refresh emulate stop wait focus scroll
    zoom pause resume unstage navigate_back go_back cancel_search start archive unarchive mark flag
    pin unpin snooze"""
)
# Session verbs that, applied to a running service or a device rather than a view or a search, change
# the world: a paused project is down for its users, a switched lock is open.
SWITCH_VERBS = _words("""toggle switch pause resume stop start turn""")
SERVICE_OR_DEVICE = _words(
    """project projects instance instances database databases cluster clusters deployment deployments app
    apps application dyno dynos machine machines vm vms droplet pipeline pipelines light lights lamp lock
    locks door doors garage thermostat heater heating cooling device devices entity entities appliance
    alarm camera valve pump"""
)
# Additive verbs that make a new object: on a remote service, it is at once visible to others or billed
# ("generate", "index", "stage" and the like only compute or prepare, there as here).
REMOTE_CREATE = _words("""create add append insert new make register record draft""")
# "close" is harmless for pages, tabs, windows, dialogs, sessions and searches, not for accounts.
CLOSE_OK_CONTEXT = _words(
    """browser page tab tabs window session search dialog popup panel"""
)
BROWSER_CONTEXT = _words(
    """browser puppeteer playwright page tab element selenium webpage dom"""
)

# Words that are verbs only at the start of a name ("get_order" reads an order, "order_pizza" orders).
AMBIGUOUS_NOUNS = _words(
    """empty block burn vote order post comment message email mail text tag branch set log record note
    book bill tip type select check test change stage commit label reply like star share transfer
    trade head tail sample"""
)

# Nouns that mean a created/changed thing lives outside this machine or reaches people.
REMOTE_NOUNS = _words(
    """issue issues pr prs pull pulls pullrequest comment comments message messages email emails mail
    post posts tweet tweets channel channels chat ticket tickets event invite invitation gist
    release releases deployment customer customers payment payments invoice invoices order orders
    subscription subscriptions transaction transactions webhook webhooks dm sms notification
    notifications calendar meeting contact contacts fork review reviews discussion thread threads
    reaction reactions attendee attendees"""
)
# Parameters that scope a call to a hosted account's objects: a tool taking one creates or changes
# things other people (or billing) see.
REMOTE_SCOPE_PARAMS = _words(
    """base_id baseId workspace_id workspaceId workspace_name team_id teamId team org_id orgId organization
    organization_id organizationId account_id accountId tenant_id tenantId project_id projectId project_ref
    channel_id channelId chat_id chatId space_id spaceId board_id boardId site_id siteId region
    terraform_org_name"""
)
REMOTE_SERVICES = re.compile(
    r"\b(github|gitlab|bitbucket|slack|discord|telegram|twitter|tweet|mastodon|bluesky|gmail|outlook|"
    r"e-?mail|jira|linear|notion|confluence|asana|trello|stripe|paypal|shopify|salesforce|hubspot|"
    r"twilio|sendgrid|mailgun|aws|amazon s3|s3 bucket|gcp|google cloud|azure|vercel|netlify|heroku|"
    r"cloudflare|google drive|gdrive|dropbox|onedrive|calendar|zoom|teams|whatsapp|reddit|youtube|"
    r"spotify|figma|sentry|pagerduty|datadog|supabase|firebase|airtable|zendesk|intercom|mailchimp|"
    r"home ?assistant|smart ?home|iot|thermostat|garage door|"
    r"remote (?:server|repository|service|api)|rest api|web ?hook|third[- ]party)\b",
    re.I,
)

# --- parameter names --------------------------------------------------------------------------
URL_PARAM = re.compile(r"^(url|urls|link|links|href|endpoint|website|webhook|is_?url|target_?url|.*_url|.*_urls|.*Url|.*Urls|.*URL)$")
RECIPIENT_PARAM = re.compile(
    r"^(to|cc|bcc|recipients?|emails?|email_address|phone(_number)?|channel(_id|_name)?|chat_id|"
    r"webhook(_url)?|room(_id)?|thread_ts|to_address|addresses)$",
    re.I,
)
MONEY_PARAM = re.compile(r"^(amount|price|currency|payment_method|card(_number)?|total|cost|quantity_to_buy)$", re.I)
# Parameters that name a resource (an id or key) rather than take an address, even when their description
# says the value is found in a URL.
ID_PARAM = re.compile(r"^(id|ids|key|slug|.*_id|.*_ids|.*Id|.*Ids|.*ID|.*_key|.*Key|.*_slug)$")
CODE_PARAM = re.compile(r"^(command|cmd|commands|shell|script|code|source_code|javascript|js|program|argv|bash)$", re.I)
CODE_FUNCTION_PARAM = re.compile(r"^(function|expression|snippet|statement)$", re.I)
SQL_PARAM = re.compile(r"^(sql|query|statement|sql_query|querystring|stmt)$", re.I)
FORCE_PARAM = re.compile(r"^(force|overwrite|hard|prune|purge|delete_?\w*|replace|clobber|no_?verify)$", re.I)
DRY_RUN_PARAM = re.compile(r"^(dry_?run|preview|simulate|validate_?only|check_?only|what_?if|plan_?only)$", re.I)
MODE_PARAM = re.compile(r"^(mode|action|operation|op|method|reset_?mode|kind|verb|command_type)$", re.I)
PATH_PARAM = re.compile(
    r"^(path|file|file_?path|filename|file_?name|destination|dest|target|target_?path|output_?path|"
    r"output|out|output_?file|new_?path)$",
    re.I,
)

# --- description phrases ----------------------------------------------------------------------
IRREVERSIBLE_PHRASES = re.compile(
    r"(permanent(ly)?|cannot be undone|can ?not be recovered|irreversib\w*|overwrit\w+|will be lost|"
    r"destructive|\bRCE\b|arbitrary (javascript|code|command|shell|sql)|\bunsafe\b|"
    r"executes? (arbitrary|any)|spend|charges? (the|your|a) |real money)",
    re.I,
)
NEGATED = re.compile(r"\b(not|never|no|without|won't|doesn't|does not|will not|cannot)\b[^.]{0,25}$", re.I)
READ_ONLY_CLAIM = re.compile(
    r"(\bread[- ]?only\b|does not (modify|change|write)|no side[- ]effects|without (modifying|changing)|"
    r"\bselect (query|queries|statements?) only\b|only (select|read)\b|\bexecute a select\b)",
    re.I,
)
NO_OVERWRITE_CLAIM = re.compile(
    r"(if the (destination|target|file)( path)? (already )?exists,? (the )?(operation|move|call|tool|it)? ?"
    r"(will )?fails?|(fails?|raises? an error|errors?) if the (destination|target|file)( path)? (already )?exists|"
    r"refuses? to overwrite)",
    re.I,
)
SQL_MENTION = re.compile(r"\b(sql|select|insert|update|delete|database|table|postgres|mysql|sqlite|query language)\b", re.I)
CODE_MENTION = re.compile(r"\b(javascript|js|python|code|script|shell|command|bash|repl|terminal)\b", re.I)
SEND_PHRASES = re.compile(
    r"\b(sends?|posts?|publish(es)?|emails?|notif(y|ies)|uploads?) (a |an |the )?"
    r"(message|email|mail|notification|tweet|reply|comment|data|file|input|request|form|feedback)",
    re.I,
)
OPENS_BROWSER = re.compile(r"\bopens?\b[^.]{0,40}\b(in (the |a |their )?browser|url|website|link)\b", re.I)


def split_words(name: str) -> list[str]:
    """``browser_takeScreenshot-v2`` -> ``["browser", "take", "screenshot", "v2"]``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """Reduce a verb form to its base: "creates" -> "create", "switches" -> "switch", "deleted" -> "delete"."""
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("xes", "x")):
        if w.endswith(suffix) and len(w) > len(suffix) + 1:
            return w[: -len(suffix)] + repl
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


@lru_cache(maxsize=4096)
def stem_candidates(word: str) -> tuple[str, ...]:
    """Possible base forms of a word (the lexicon decides which one is a known verb)."""
    w = word.lower()
    out = [w, stem(w)]
    if w.endswith("ed") and len(w) > 4:
        out += [w[:-2], w[:-1]]
    if w.endswith("ing") and len(w) > 5:
        out += [w[:-3], w[:-3] + "e"]
    return tuple(dict.fromkeys(out))

"""Identifiers shared by the block builders and the listeners that answer them."""

# callback_id of each modal and shortcut
ACCOUNT_MODAL = "account_modal"
CONTACT_MODAL = "contact_modal"  # adding, or editing when its metadata names the contact
TOUCH_MODAL = "touch_modal"
FORGET_PICK_MODAL = "forget_pick_modal"  # who to forget
FORGET_MODAL = "forget_modal"  # confirm, then erase
PLAN_MODAL = "plan_modal"
REMOVE_CONTACT_MODAL = "remove_contact_modal"  # the confirmation before a contact is removed
MAP_MODAL = "map_modal"  # a map opened from the App Home
NOTICE_MODAL = "notice_modal"  # a sentence for someone acting where no message can answer (Home, modals)
LOG_AS_TOUCH = "log_as_touch"  # the message shortcut (manifest.yml)

# action_id of buttons and menus
ADD_CONTACT = "map_add_contact"
LOG_TOUCH = "map_log_touch"
SHOW_CHART = "map_chart"
ADD_PLAN_STEP = "map_add_plan_step"
CREATE_ACCOUNT = "create_account"
CONTACT_PICKER = "contact_picker"  # external select: answered by an options listener
ACCOUNT_PICKER = "account_picker"  # external select over the workspace's accounts
SHOW_ACCOUNT = "show_account"  # one per close match: "show_account:0", "show_account:1"…
CONTACT_MENU = "contact_menu"  # the overflow menu of one contact on the map: "contact_menu:<contact id>"
PLAN_DONE = "plan_done"  # "plan_done:<step id>"
PLAN_ACCEPT = "plan_accept"  # "plan_accept:<n>", the value names the account and the suggestion
STRATEGY_ACCEPT = "strategy_accept"  # "strategy_accept:<n>" or ":all"; the value is "<account id>|<contact id or all>"
STRATEGY_PLAN = "strategy_plan"  # "Plan a step for…" select; the option's value is "<account id>|<contact id>"
HOME_OPEN_MAP = "home_open_map"
HOME_LOG_TOUCH = "home_log_touch"  # value "<account id>:<contact id>"
HOME_PAGE = "home_page"  # value: the page to show

# block_id of the map's buttons: a message holding it is a map (redrawn after a change made from it)
MAP_ACTIONS = "map_actions"
STRATEGY_ACTIONS = "strategy_actions"  # the map's Accept buttons for proposed strategies

# what a contact's overflow menu offers (option values are "<choice>:<contact id>")
EDIT = "edit"
LOG = "log"
REMOVE = "remove"
LEFT = "left"  # left the company
FORGET = "forget"

# the weekly digest: one of each per stale relationship, suffixed ":<contact id>"
NUDGE_ITEM = "nudge_item"
NUDGE_ACTIONS = "nudge_actions"
NUDGE_LOG_TOUCH = "nudge_log_touch"
NUDGE_SNOOZE = "nudge_snooze"
NUDGE_LEFT = "nudge_left"

# workspace settings
SETTINGS_MODAL = "settings_modal"
OPEN_SETTINGS = "open_settings"  # the App Home's Settings button

# the leader's report
REPORT_CHART = "report_chart"  # the report's Trend chart button; value: the owner's user id or "all"
REPORT_FULL = "report_full"  # the App Home Portfolio section's Full report button

# Slack Connect people: "Seen in Slack, not on the map" (map and digest) and signals DMed to an owner
SEEN_MENU = "seen_menu"  # "seen_menu:<account id>:<slack user id>"; option values "<choice>|<account id>|<user id>"
SEEN_ADD = "add"  # the contact modal, prefilled from their Slack profile and title
SEEN_IGNORE = "ignore"  # never suggested again
SIGNAL_ACTIONS = "signal_actions"  # block_id of a signal's buttons: "signal_actions:<signal id>"
SIGNAL_LEFT = "signal_left"  # "signal_left:<signal id>": the departure flow
SIGNAL_STILL = "signal_still"  # still there: nothing changes
SIGNAL_TITLE = "signal_title"  # take Slack's new title

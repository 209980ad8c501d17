"""Identifiers shared by the block builders and the listeners that answer them."""

# callback_id of each modal
ACCOUNT_MODAL = "account_modal"
CONTACT_MODAL = "contact_modal"
TOUCH_MODAL = "touch_modal"
FORGET_PICK_MODAL = "forget_pick_modal"  # who to forget
FORGET_MODAL = "forget_modal"  # confirm, then erase

# action_id of buttons and menus
ADD_CONTACT = "map_add_contact"
LOG_TOUCH = "map_log_touch"
SHOW_CHART = "map_chart"
CREATE_ACCOUNT = "create_account"
CONTACT_PICKER = "contact_picker"  # external select: answered by an options listener
SHOW_ACCOUNT = "show_account"  # one per close match: "show_account:0", "show_account:1"…

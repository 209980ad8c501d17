"""The only code handler modules share: payload parsing (payloads, forms, requests), replies, the one
failure path (errors), work after the ack (after_ack), permissions, and the steps several surfaces take
after a change (changes, maps, channels, home, departures, openers, charts). Nothing in this package
imports a surface module (handlers.<surface>); surfaces never import each other — `.importlinter` holds
both rules."""

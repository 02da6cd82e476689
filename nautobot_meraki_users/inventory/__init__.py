"""Nautobot's Meraki inventory: sync from the Dashboard, upkeep after writes, the email-policy filter."""

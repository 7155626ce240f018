"""Platform adapters: translate events to engine messages, render replies, deliver them."""

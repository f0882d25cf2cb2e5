"""Channels: radio playout, website and podcast feed, Facebook Page, WordPress; the outbox."""

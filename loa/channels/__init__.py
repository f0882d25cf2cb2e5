"""Channels: radio playout, website and podcast feed, Facebook Page, WordPress, Zalo OA; the outbox."""

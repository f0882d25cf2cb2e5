"""Channels: radio playout, website and podcast feed, Facebook Page, Zalo OA."""

"""`[channels.zalo]` in loa.toml: the OA, its app, how to reach Zalo, whom broadcasts reach."""

from __future__ import annotations

from pydantic import Field, field_validator

from loa.channels.media import photo_host_choice
from loa.channels.zalo_api import DEFAULT_API_URL
from loa.channels.zalo_tokens import DEFAULT_OAUTH_URL
from loa.core.settings import Flag, Integer, Number, SectionSettings

#: How many recent articles `find` reads in detail looking for a key's marker.
LOOKUP_DEPTH = 20


class ZaloTarget(SectionSettings):
    """[channels.zalo.target]: which followers a broadcast reaches (Zalo's codes, as text;
    empty: every follower)."""

    ages: str = ""
    gender: str = ""
    locations: str = ""
    cities: str = ""
    platform: str = ""


class ZaloSettings(SectionSettings):
    """[channels.zalo]: the OA, its app and how to reach Zalo. The app secret and the tokens
    are never here: LOA_ZALO_APP_SECRET / the keyring, and `loa channels zalo login`."""

    enabled: Flag = True
    oa_id: str = ""
    app_id: str = ""
    api_url: str = DEFAULT_API_URL
    oauth_url: str = DEFAULT_OAUTH_URL
    author: str = ""
    cover_url: str = ""
    #: Where a photo file of a message is put so that Zalo can fetch it as the cover: "auto"
    #: (the first photo host set up, loa.core.registry.photo_hosts), a host's name, or "none"
    #: (such messages take cover_url).
    photo_host: str = "auto"
    #: The callback address registered with the Zalo app (for `loa channels zalo login --url`).
    redirect_uri: str = ""
    broadcast: list[str] = Field(default_factory=lambda: ["high", "urgent"])
    target: ZaloTarget = Field(default_factory=ZaloTarget)
    #: Broadcasts each follower may receive per calendar month (Zalo's common tier: 4).
    broadcasts_per_month: Integer = Field(default=4, ge=0, le=100)
    timeout_s: Number = Field(default=30.0, gt=0, le=600)
    #: The most one call may take, connect and every read together.
    deadline_s: Number = Field(default=120.0, gt=0, le=3600)
    #: How late the OA's article list may show a fresh article.
    feed_lag_s: Number = Field(default=120.0, ge=0, le=86400)
    lookup_depth: Integer = Field(default=LOOKUP_DEPTH, ge=1, le=100)

    @field_validator("oa_id", "app_id", "cover_url", "author", "redirect_uri")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("photo_host")
    @classmethod
    def _host(cls, value: str) -> str:
        return photo_host_choice(value)

    @field_validator("broadcast")
    @classmethod
    def _priorities(cls, value: list[str]) -> list[str]:
        from loa.content.models import Priority

        valid = [p.value for p in Priority]
        for word in value:
            if word not in valid:
                raise ValueError(f"{word!r}: {', '.join(valid)}")
        return value

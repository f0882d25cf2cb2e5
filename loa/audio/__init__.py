"""Audio: Vietnamese TTS engines, mastering for horn loudspeakers, bulletins and the clip cache."""

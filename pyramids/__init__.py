"""pyramids: one level-indexed API for audio, image and text (placeholder: filled by its issue)."""

-- The language a meeting's recordings are transcribed in: a Whisper code, "auto" (detected), or NULL (the default).
ALTER TABLE meetings ADD COLUMN language TEXT;

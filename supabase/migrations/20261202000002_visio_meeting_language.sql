-- The language a meeting's recordings are transcribed in: a Whisper code, 'auto' (detected), or NULL (the default).
ALTER TABLE public.meetings ADD COLUMN language text
    CHECK (language IS NULL OR language = 'auto' OR language ~ '^[a-z]{2,3}$');

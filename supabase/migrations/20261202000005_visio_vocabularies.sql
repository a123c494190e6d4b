-- An operator's vocabulary (names, products, jargon) given to Whisper with his meetings' recordings.
-- The operator reads and writes his own (RLS); workers read it with the service role.
CREATE TABLE public.vocabularies (
    operator_id uuid PRIMARY KEY REFERENCES public.profiles(id) ON DELETE CASCADE,
    terms       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(terms) <= 200),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.vocabularies ENABLE ROW LEVEL SECURITY;
CREATE POLICY vocabularies_own ON public.vocabularies FOR ALL TO authenticated
    USING (operator_id = auth.uid()
           AND EXISTS (SELECT 1 FROM public.profiles p WHERE p.id = auth.uid() AND p.role = 'operator'))
    WITH CHECK (operator_id = auth.uid()
           AND EXISTS (SELECT 1 FROM public.profiles p WHERE p.id = auth.uid() AND p.role = 'operator'));
REVOKE ALL ON public.vocabularies FROM anon;
GRANT SELECT, INSERT, UPDATE ON public.vocabularies TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.vocabularies TO service_role;

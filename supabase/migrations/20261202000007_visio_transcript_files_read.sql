-- A transcript has several files in the `transcripts` bucket, all named after its recording:
-- `{recording_id}.srt` (the row's transcript_url), `.vtt`, `.txt`, `.docx`, `.json` (what the pages
-- read) and `.edited.srt` (the corrected version kept when it is transcribed again). The first
-- policy let users read only the file named in transcript_url, so on Supabase the pages could not
-- read the `.json` nor sign links to the other downloads. Whoever may read the recording row
-- (RLS on meeting_recordings applies inside the policy) may read every file of its transcript.
DROP POLICY IF EXISTS visio_objects_select ON storage.objects;

CREATE POLICY visio_objects_select ON storage.objects FOR SELECT TO authenticated USING (
    (bucket_id = 'recordings' AND EXISTS (
        SELECT 1 FROM public.meeting_recordings r WHERE r.recording_url = 'recordings/' || name))
    OR (bucket_id = 'transcripts' AND EXISTS (
        SELECT 1 FROM public.meeting_recordings r WHERE r.id::text = split_part(name, '.', 1)))
);

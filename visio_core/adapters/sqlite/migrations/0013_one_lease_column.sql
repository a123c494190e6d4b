-- One name for a lease's end in every queue table (meeting_recordings and recording_summaries
-- already call it so): the embedded store's lease helper serves them all alike.
ALTER TABLE openvidu_downloads RENAME COLUMN lease_until TO lease_expires_at;

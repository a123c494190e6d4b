-- Which worker holds a download's lease: later writes are conditional on it, like transcription jobs'.
ALTER TABLE openvidu_downloads ADD COLUMN lease_owner TEXT;

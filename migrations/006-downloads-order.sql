-- 軟體下載 lists newest first; on the same date the item with the higher priority comes first
-- (the certificate component is always item 1, as in the seed).
ALTER TABLE downloads ADD COLUMN priority integer NOT NULL DEFAULT 0;
CREATE INDEX downloads_listing_idx ON downloads (published_on DESC, priority DESC, id);

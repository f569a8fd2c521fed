-- The 軟體下載 catalogue: files the project really ships.
CREATE TABLE downloads (
  id             bigserial PRIMARY KEY,
  slug           text NOT NULL UNIQUE,
  title_zh       text NOT NULL,
  title_en       text NOT NULL,
  description_zh text NOT NULL,
  description_en text NOT NULL,
  published_on   date NOT NULL,
  version        text NOT NULL,
  file_name      text NOT NULL,
  file_path      text NOT NULL,
  content_type   text NOT NULL
);

-- PostgreSQL's text parser reads "<…>" as an XML tag and drops the words inside it, so a
-- message like "x<3 och y>2" lost "3 och y". Angle brackets are spaces for the search column.
ALTER TABLE messages DROP COLUMN search;
ALTER TABLE messages
  ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('swedish', translate(body, '<>', '  ')) || to_tsvector('simple', translate(body, '<>', '  '))
  ) STORED;
CREATE INDEX messages_search ON messages USING gin (search);

-- Failed sign-ins per e-mail address (known or not) in the current window, to slow down
-- password guessing: see `Store::sign_in_blocked`.
CREATE TABLE sign_in_failures (
    email TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);

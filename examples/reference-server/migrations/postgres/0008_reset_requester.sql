-- Forgot-password codes are bound to the client that asked (the SHA-256 of its reset
-- ticket): a stranger's guesses never reach the owner's code.
ALTER TABLE sms_challenges ADD COLUMN requester TEXT;

"""Messaging channels: Twilio WhatsApp (webhook parsing, signatures, TwiML) and outbound senders."""

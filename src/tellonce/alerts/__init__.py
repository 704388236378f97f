"""The outbox: every alert is stored in the transaction of the change it tells of and
delivered by the worker exactly once, to the inbox and as an email that names no one
(`services`, README.md). What an alert says, and to whom, is the writing app's."""

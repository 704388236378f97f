"""Who uses TellOnce: practitioners in teams with roles, and agency system accounts
with API tokens; sign-in with TOTP two-factor, every sign-in audited (`signals`); who a
team's missed deadlines go to (`selectors.managers_of`)."""

"""The partnership: agencies (council, police, NHS, schools, housing, voluntary
sector) and their teams, with roles and services; the team directory."""

"""Activities: small state machines (quiz, review, role-play, prep) that run over several turns."""

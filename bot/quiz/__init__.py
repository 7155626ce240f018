"""Quizzes that teach: question types, answer checking, FSRS reviews, streaks and progress."""

"""Role-play practice: scenarios with personas, feedback, written exercises, drills, prep.

`bot.roleplay.feature` plugs them in.
"""

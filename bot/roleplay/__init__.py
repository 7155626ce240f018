"""Role-play practice: scenarios with personas, audience-aware rubric feedback, written
exercises, quiz drills and pre-meeting prep (`bot.roleplay.feature` plugs them in).
"""

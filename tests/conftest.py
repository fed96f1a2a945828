# The toy workbook and the wrong answers are lab material run by the harness in their own
# pytest processes, never collected as part of the maintainer suite.
collect_ignore = ["toy", "wrong_answers"]

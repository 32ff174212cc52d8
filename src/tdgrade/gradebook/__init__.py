"""The gradebook: everything a grade is made of and everything made from grades, below both verbs that
fill it (`tdgrade.grade` writes results, `tdgrade.review` writes marks) and importing neither.

- `result` (`Result`, `Status`) and `results` (OUTDIR's result files, the run's marker and intake file);
- the final grade: `answers` (a student's written answers), `marks` (a grader's marks, locked and
  journalled), `rubric` (rubric edits and live scores), `overrides`, `final` (auto + manual + penalty);
- `late` (due date, late policy, penalties);
- what is made from them: `feedback`, `report` (+ `report_stats`, `report_sections`), `moodle`, and
  `publish`, which writes them all (grades.csv, moodle.csv, feedback/, report.html).
"""

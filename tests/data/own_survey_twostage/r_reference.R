# R survey (4.x) reference for tests/test_survey_twostage.py: the two-stage design of this study
# (organisations in sectors, then employees), "weet niet" and no answer out of the base.
# Rscript tests/data/own_survey_twostage/r_reference.R  (from the repository root)
suppressMessages(library(survey))
d <- read.csv2("tests/data/own_survey_twostage/werknemersbevraging.csv", stringsAsFactors=FALSE)
d$top2 <- ifelse(d$tevredenheid_werk %in% c("Weet niet", ""), NA, as.numeric(d$tevredenheid_werk %in% c("Tevreden", "Zeer tevreden")))
d$opl <- ifelse(d$opleiding_gevolgd %in% c("Weet niet", ""), NA, as.numeric(d$opleiding_gevolgd == "ja"))
des <- svydesign(id=~organisatie_id+werknemer_id, strata=~sector, fpc=~aantal_organisaties+aantal_werknemers, data=d)
for (v in c("top2", "opl")) {
  s <- subset(des, !is.na(d[[v]]))
  f <- as.formula(paste0("~", v))
  m <- svymean(f, s)
  ci <- svyciprop(f, s, method="logit")
  cat(sprintf("%s %.12f %.12f %.12f %.12f\n", v, coef(m), SE(m), attr(ci, "ci")[1], attr(ci, "ci")[2]))
}
cat(sprintf("total_weight %.6f\n", sum(weights(des))))

# Reference values for tests/test_survey_multistage.py, computed with R 4.2.2 and survey 4.1-1:
#   cd tests/data/r_survey && Rscript make_reference.R
# Writes the data sets (apiclus2.csv, mu284.csv, fpc.csv, strat2.csv) and reference.csv
# (key, value; 15 significant digits). The tests read only the CSVs, so they run without R.
suppressMessages(library(survey))
data(api); data(mu284); data(fpc)
keep <- c("cds", "dnum", "snum", "fpc1", "fpc2", "pw", "stype", "sch.wide", "awards", "enroll", "api00", "api99")
write.csv(apiclus2[, keep], "apiclus2.csv", row.names = FALSE)
write.csv(mu284, "mu284.csv", row.names = FALSE)
write.csv(fpc, "fpc.csv", row.names = FALSE)

# A stratified two-stage sample drawn from apipop (R survey's population of California schools):
# strata are 4 counties; in each, 4 districts by simple random sampling without replacement;
# in each district up to 3 schools, likewise. District numbers are renumbered 1, 2, ... within
# each county, so the same number occurs in every stratum: the design needs nest=TRUE.
set.seed(20261204)
pop <- apipop[apipop$cnum %in% c(18, 53, 14, 36), ]
pop$district <- paste(pop$cnum, pop$dnum)
parts <- list()
for (cty in sort(unique(pop$cnum))) {
  p <- pop[pop$cnum == cty, ]
  dists <- sort(unique(p$district))
  chosen <- sample(dists, 4)
  for (k in seq_along(chosen)) {
    q <- p[p$district == chosen[k], ]
    m <- min(3, nrow(q))
    s <- q[sample(nrow(q), m), ]
    s$county <- cty; s$district_no <- k; s$school_no <- seq_len(m)
    s$n_districts <- length(dists); s$n_schools <- nrow(q)
    parts[[length(parts) + 1]] <- s
  }
}
strat2 <- do.call(rbind, parts)
strat2 <- strat2[, c("county", "district_no", "school_no", "n_districts", "n_schools", "stype",
                     "sch.wide", "enroll", "api00")]
write.csv(strat2, "strat2.csv", row.names = FALSE)

out <- list()
put <- function(key, v) out[[key]] <<- as.numeric(v)
stat <- function(key, s, d) {  # estimate, SE, normal and t(degf) intervals; d: the design whose
  # degf is the df (for a variable with missing values, its subset with a value, as in evaluatie)
  put(paste0(key, ".est"), coef(s)); put(paste0(key, ".se"), SE(s))
  ci <- confint(s); put(paste0(key, ".lo"), ci[, 1]); put(paste0(key, ".hi"), ci[, 2])
  ci <- confint(s, df = degf(d)); put(paste0(key, ".tlo"), ci[, 1]); put(paste0(key, ".thi"), ci[, 2])
}
prop <- function(key, f, d) for (m in c("logit", "beta")) {
  x <- svyciprop(f, d, method = m)
  put(paste0(key, ".", m), c(coef(x), SE(x), confint(x)))
}
by_mean <- function(key, f, by, d, FUN = svymean) {
  b <- svyby(f, by, d, FUN, na.rm = TRUE)
  put(paste0(key, ".est"), b[[2]]); put(paste0(key, ".se"), SE(b))
}

for (uc in c(FALSE, TRUE)) {
  options(survey.ultimate.cluster = uc)
  tag <- if (uc) "uc" else "ms"
  # R survey's documented example (?svydesign, ?api): two-stage cluster sample
  dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
  put("clus2.weights", weights(dclus2))
  put("clus2.degf", degf(dclus2))
  stat(paste0("clus2.", tag, ".mean_api00"), svymean(~api00, dclus2), dclus2)
  stat(paste0("clus2.", tag, ".total_enroll"), svytotal(~enroll, dclus2, na.rm = TRUE), subset(dclus2, !is.na(enroll)))
  stat(paste0("clus2.", tag, ".mean_enroll"), svymean(~enroll, dclus2, na.rm = TRUE), subset(dclus2, !is.na(enroll)))
  stat(paste0("clus2.", tag, ".total_api00"), svytotal(~api00, dclus2), dclus2)
  m <- svymean(~stype, dclus2)
  put(paste0("clus2.", tag, ".mean_stype.est"), coef(m)); put(paste0("clus2.", tag, ".mean_stype.se"), SE(m))
  prop(paste0("clus2.", tag, ".prop_schwide"), ~I(sch.wide == "Yes"), dclus2)
  by_mean(paste0("clus2.", tag, ".by_stype_mean_api00"), ~api00, ~stype, dclus2)
  by_mean(paste0("clus2.", tag, ".by_stype_total_enroll"), ~enroll, ~stype, dclus2, svytotal)
  b <- svyby(~I(sch.wide == "Yes"), ~stype, dclus2, svyciprop, method = "beta", vartype = c("se", "ci"))
  put(paste0("clus2.", tag, ".by_stype_prop_beta"), c(b[[2]], b$se, b$ci_l, b$ci_u))
  x <- svychisq(~sch.wide + stype, dclus2)
  put(paste0("clus2.", tag, ".chisq"), c(x$statistic, x$parameter, x$p.value))
  # calibration of a two-stage design: the multistage variance of the residuals
  pt <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
  ps <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
  dp <- postStratify(dclus2, ~stype, pt)
  stat(paste0("clus2.", tag, ".post_mean_api00"), svymean(~api00, dp), dp)
  stat(paste0("clus2.", tag, ".post_total_enroll"), svytotal(~enroll, dp, na.rm = TRUE), subset(dp, !is.na(enroll)))
  by_mean(paste0("clus2.", tag, ".post_by_schwide_mean_api00"), ~api00, ~sch.wide, dp)
  dr <- rake(dclus2, list(~stype, ~sch.wide), list(pt, ps), control = list(epsilon = 1e-10, maxit = 100))
  stat(paste0("clus2.", tag, ".rake_mean_api00"), svymean(~api00, dr), dr)
  stat(paste0("clus2.", tag, ".rake_total_enroll"), svytotal(~enroll, dr, na.rm = TRUE), subset(dr, !is.na(enroll)))
  put(paste0("clus2.", tag, ".rake_weights"), weights(dr))

  # R survey's documented example (?mu284): two-stage sample of Swedish municipalities
  dmu <- svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284)
  put("mu284.weights", weights(dmu))
  stat(paste0("mu284.", tag, ".total_y1"), svytotal(~y1, dmu), dmu)
  stat(paste0("mu284.", tag, ".mean_y1"), svymean(~y1, dmu), dmu)

  # stratified two-stage, district numbers repeated across strata: nest = TRUE
  ds2 <- svydesign(id = ~district_no + school_no, strata = ~county, fpc = ~n_districts + n_schools,
                   nest = TRUE, data = strat2)
  put("strat2.weights", weights(ds2))
  put("strat2.degf", degf(ds2))
  stat(paste0("strat2.", tag, ".mean_api00"), svymean(~api00, ds2), ds2)
  stat(paste0("strat2.", tag, ".total_enroll"), svytotal(~enroll, ds2), ds2)
  prop(paste0("strat2.", tag, ".prop_schwide"), ~I(sch.wide == "Yes"), ds2)
  by_mean(paste0("strat2.", tag, ".by_stype_mean_api00"), ~api00, ~stype, ds2)
  # the same with the fpc as sampling fractions
  ds2f <- svydesign(id = ~district_no + school_no, strata = ~county,
                    fpc = ~I(4 / n_districts) + I(pmin(3, n_schools) / n_schools), nest = TRUE, data = strat2)
  stat(paste0("strat2.", tag, ".frac_mean_api00"), svymean(~api00, ds2f), ds2f)
}
options(survey.ultimate.cluster = FALSE)

# a school of a multi-school district as the only sampled school: a lonely unit at stage 2
lonely <- strat2[!(strat2$county == 18 & strat2$district_no == 1 & strat2$school_no > 1), ]
cat("lonely district: schools in the population:", lonely$n_schools[lonely$county == 18 & lonely$district_no == 1], "\n")
r <- try(svydesign(id = ~district_no + school_no, strata = ~county, fpc = ~n_districts + n_schools,
                   nest = TRUE, data = lonely), silent = TRUE)
dl <- svydesign(id = ~district_no + school_no, strata = ~county, fpc = ~n_districts + n_schools,
                nest = TRUE, data = lonely)
e <- try(svymean(~api00, dl), silent = TRUE)
cat("lonely.psu='fail':", if (inherits(e, "try-error")) conditionMessage(attr(e, "condition")) else "no error", "\n")
options(survey.lonely.psu = "certainty")
stat("lonely.certainty.mean_api00", svymean(~api00, dl), dl)
put("lonely.weights", weights(dl))
options(survey.lonely.psu = "fail")
write.csv(lonely, "strat2_lonely.csv", row.names = FALSE)

# nest: ids repeated across strata (R's documented ?fpc example)
e <- try(svydesign(weights = ~weight, ids = ~psuid, strata = ~stratid, fpc = ~Nh, data = fpc), silent = TRUE)
cat("nest=FALSE:", conditionMessage(attr(e, "condition")), "\n")
withfpc <- svydesign(weights = ~weight, ids = ~psuid, strata = ~stratid, fpc = ~Nh, data = fpc, nest = TRUE)
stat("fpc.nest.mean_x", svymean(~x, withfpc), withfpc)
stat("fpc.nest.total_x", svytotal(~x, withfpc), withfpc)

# two stages without fpc: with-replacement first stage, the ultimate-cluster variance
dnofpc <- svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)
stat("clus2.nofpc.mean_api00", svymean(~api00, dnofpc), dnofpc)

# three stages (simulated): 5 of 20 units, then 3 of 4-8 units in each, then 2 of 5-10 in each
set.seed(18)
n2 <- sample(4:8, 20, replace = TRUE)
s1 <- sort(sample(20, 5))
parts <- list()
for (a in s1) for (b in sort(sample(n2[a], 3))) {
  n3 <- 4 + (a + b) %% 7
  for (c3 in sort(sample(n3, 2)))
    parts[[length(parts) + 1]] <- data.frame(a = a, b = b, c = c3, N1 = 20, N2 = n2[a], N3 = n3,
                                             y = round(10 + a + 2 * b + rnorm(1, sd = 3), 1))
}
three <- do.call(rbind, parts)
write.csv(three, "three_stage.csv", row.names = FALSE)
d3 <- svydesign(id = ~a + b + c, fpc = ~N1 + N2 + N3, data = three)
put("three.weights", weights(d3))
stat("three.total_y", svytotal(~y, d3), d3)
stat("three.mean_y", svymean(~y, d3), d3)

# stratified at both stages (drawn from apipop, seeded): counties, then 4 districts per county;
# in each district two strata of schools (elementary, other), up to 2 schools from each
set.seed(2)
pop$level <- ifelse(pop$stype == "E", "E", "other")
parts <- list()
for (cty in sort(unique(pop$cnum))) {
  p <- pop[pop$cnum == cty, ]
  dists <- sort(unique(p$district))
  chosen <- sample(dists, 4)
  for (k in seq_along(chosen)) for (lev in c("E", "other")) {
    q <- p[p$district == chosen[k] & p$level == lev, ]
    if (nrow(q) == 0) next
    m <- min(2, nrow(q))
    s <- q[sample(nrow(q), m), ]
    s$county <- cty; s$district_no <- k; s$school_no <- seq_len(m)
    s$n_districts <- length(dists); s$n_level <- nrow(q)
    parts[[length(parts) + 1]] <- s
  }
}
strat22 <- do.call(rbind, parts)[, c("county", "district_no", "level", "school_no", "n_districts", "n_level",
                                     "stype", "sch.wide", "enroll", "api00")]
write.csv(strat22, "strat22.csv", row.names = FALSE)
for (uc in c(FALSE, TRUE)) {
  options(survey.ultimate.cluster = uc)
  tag <- if (uc) "uc" else "ms"
  d22 <- svydesign(id = ~district_no + school_no, strata = ~county + level, fpc = ~n_districts + n_level,
                   nest = TRUE, data = strat22)
  put("strat22.weights", weights(d22))
  stat(paste0("strat22.", tag, ".mean_api00"), svymean(~api00, d22), d22)
  stat(paste0("strat22.", tag, ".total_enroll"), svytotal(~enroll, d22, na.rm = TRUE), subset(d22, !is.na(enroll)))
  by_mean(paste0("strat22.", tag, ".by_schwide_mean_api00"), ~api00, ~sch.wide, d22)
}
options(survey.ultimate.cluster = FALSE)

rows <- do.call(rbind, lapply(names(out), function(k)
  data.frame(key = k, i = seq_along(out[[k]]), value = format(out[[k]], digits = 15, scientific = FALSE, trim = TRUE))))
write.csv(rows, "reference.csv", row.names = FALSE, quote = FALSE)
cat("wrote", nrow(rows), "values\n")

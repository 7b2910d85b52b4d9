# R client (clients/r): Debian's R packages (CRAN is not reachable), generated docs that must
# be current, R CMD check, and the testthat suite against real `trackd server` processes over
# SQLite and PostgreSQL.
#
# R CMD check runs with --no-tests: the suite needs a server, PostgreSQL and the virtualenv,
# which `test-r` provides and then runs the suite itself (once per backend) with visible counts.

R_DEBS := r-base-core r-cran-httr2 r-cran-jsonlite r-cran-openssl r-cran-testthat r-cran-withr \
          r-cran-processx r-cran-roxygen2
R_SRC := clients/r
R_LIB := build/r-lib
R_CHECK_DIR := build/r-check
R_DOCS_DIR := build/r-roxygen
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: r-deps r-docs r-docs-check r-check r-install test-r test-crosslang
TEST_SUITES += test-r

r-deps:
	@if ! dpkg -s $(R_DEBS) >/dev/null 2>&1; then \
	  echo "installing R: $(R_DEBS)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(R_DEBS); \
	fi

# Regenerates NAMESPACE and man/*.Rd from the roxygen comments in R/.
r-docs: r-deps
	cd $(R_SRC) && Rscript -e 'roxygen2::roxygenise()'

# Fails when the committed NAMESPACE or man/ differ from what roxygen generates.
r-docs-check: r-deps
	@rm -rf $(R_DOCS_DIR) && mkdir -p $(R_DOCS_DIR) && cp -r $(R_SRC) $(R_DOCS_DIR)/trackd
	@cd $(R_DOCS_DIR)/trackd && Rscript -e 'roxygen2::roxygenise()' >/dev/null 2>&1
	@diff -r $(R_SRC)/man $(R_DOCS_DIR)/trackd/man && diff $(R_SRC)/NAMESPACE $(R_DOCS_DIR)/trackd/NAMESPACE \
	  || { echo "R docs are stale: run 'make r-docs' and commit the result"; exit 1; }

# R CMD check exits 0 on warnings, so the log is checked too: errors and warnings fail.
r-check: r-deps
	@rm -rf $(R_CHECK_DIR) && mkdir -p $(R_CHECK_DIR)
	cd $(R_CHECK_DIR) && R CMD build --no-build-vignettes $(CURDIR)/$(R_SRC)
	cd $(R_CHECK_DIR) && _R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual --no-tests trackd_*.tar.gz
	@if grep -E '^\* .*\.\.\. (WARNING|ERROR)' $(R_CHECK_DIR)/trackd.Rcheck/00check.log; then \
	  echo "R CMD check reported warnings or errors"; exit 1; fi

r-install: r-deps
	@mkdir -p $(R_LIB)
	R CMD INSTALL --no-test-load -l $(R_LIB) $(R_SRC)

# The testthat suite on both backends (with the conformance cases of tests/conformance), then
# the Python <-> R artifact checks.
test-r: venv postgres r-deps r-docs-check r-check r-install
	TRACKD_SERVER_BIN=$(CURDIR)/$(BIN)/trackd TRACKD_PYTHON=$(CURDIR)/$(BIN)/python \
	  TRACKD_CONFORMANCE_DIR=$(CURDIR)/tests/conformance \
	  Rscript $(R_SRC)/dev/run_tests.R $(R_LIB) sqlite postgresql
	$(MAKE) --no-print-directory test-crosslang

# tests/crosslang: files logged from Python download byte for byte in R and the other way
# round. pytest collects that directory only with TRACKD_CROSSLANG=1, because `make
# test-python` may run before R is installed; here a missing R fails the tests.
test-crosslang: venv postgres r-install
	TRACKD_CROSSLANG=1 TRACKD_R_LIB=$(CURDIR)/$(R_LIB) $(BIN)/pytest tests/crosslang -q -p no:cacheprovider

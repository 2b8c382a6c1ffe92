# The two commands of a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
STAMP := .make

.PHONY: run test install install-test translations browser fonts scheduler bench clean

$(STAMP)/venv:
	@mkdir -p $(STAMP)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(STAMP)/install: $(STAMP)/venv pyproject.toml
	$(PY) -m pip install --quiet -e .
	@touch $@

$(STAMP)/install-test: $(STAMP)/install pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

install: $(STAMP)/install
install-test: $(STAMP)/install-test

# Compiled catalogues are build output, made from the committed .po files.
translations: $(STAMP)/install
	$(VENV)/bin/pybabel compile --use-fuzzy -d translations -D messages

# Debian packages the commands need, installed when missing: $(call apt_ensure,PACKAGES,what for)
define apt_ensure
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing $$missing for $(2)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

# The browser journeys drive Debian's chromium (nothing is downloaded at run time); a CJK font lets
# headless chromium draw Chinese in the screenshots (fonts-noto-cjk) instead of boxes.
BROWSER_PACKAGES := chromium fonts-noto-cjk
browser:
	$(call apt_ensure,$(BROWSER_PACKAGES),the browser tests)

# The PDFs (referral letters, submission receipts) embed a TrueType CJK font from a Debian package
# (PDF_FONT_PATH, default /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc); fonts-noto-cjk's CFF outlines
# cannot be embedded by reportlab.
FONT_PACKAGES := fonts-wqy-zenhei
fonts:
	$(call apt_ensure,$(FONT_PACKAGES),the PDFs)

# The scheduler (deadline sweep, notification delivery) runs beside the server, in its own process;
# the development server runs without the reloader, so nothing is started twice.
run: install translations fonts
	$(FLASK) db upgrade
	$(FLASK) calendar seed
	$(FLASK) deadlines seed-rules
	$(FLASK) seed-demo
	@echo "Serving on http://127.0.0.1:5000 (the scheduler runs beside it; Ctrl-C stops both)"
	@$(FLASK) scheduler & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port 5000 --no-reload

test: install-test translations browser fonts
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install-test translations
	$(PY) bench/intake.py

clean:
	rm -rf $(VENV) $(STAMP) instance

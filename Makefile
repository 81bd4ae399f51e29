# 问效 — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_ARGS ?=

.PHONY: install sysdeps test-sysdeps demo serve worker test lint format vendor clean
# Debian packages that PDF rendering (WeasyPrint) needs: Pango, and a Chinese font. Everything else is on PyPI.
SYSDEPS := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk
# Debian packages the tests need besides: tests/test_browser.py drives Debian's Chromium (no browser download).
TEST_SYSDEPS := chromium

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "需要 Python 3.11 或更新版本 (Python >= 3.11 is required)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed sysdeps

sysdeps:
	@missing=$$(for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装 PDF 所需的系统软件包: $$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "警告：系统软件包安装失败，PDF 导出将不可用 ($$missing)"; \
	  else echo "提示：PDF 导出需要系统软件包 $$missing（apt-get install $$missing）"; fi; \
	fi

test-sysdeps:
	@missing=$$(for p in $(TEST_SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装测试所需的系统软件包: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "测试需要系统软件包 $$missing，请先执行 sudo apt-get install $$missing"; exit 1; fi; \
	fi

demo: install  ## create .venv, migrate, seed the demo, serve on http://127.0.0.1:$(PORT)
	$(BIN)/wenxiao demo --port $(PORT)

serve: install
	$(BIN)/wenxiao serve --port $(PORT)

worker: install
	$(BIN)/wenxiao worker

test: install test-sysdeps  ## the whole suite; on PostgreSQL when WENXIAO_DATABASE_URL points at one
	WENXIAO_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -n auto -q $(TEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	WENXIAO_DATA_DIR=$(CURDIR)/var/lint $(BIN)/wenxiao manage check
	WENXIAO_DATA_DIR=$(CURDIR)/var/lint $(BIN)/wenxiao manage makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

# Refresh the vendored front-end files from the npm registry (needs node/npm; the result is committed).
vendor:
	rm -rf /tmp/wx-vendor && mkdir -p /tmp/wx-vendor && cd /tmp/wx-vendor && \
	  npm pack htmx.org@2.0.11 echarts@6.1.0 bootstrap@5.3.9 >/dev/null && for f in *.tgz; do tar xzf $$f && mv package $${f%.tgz}; done
	cp /tmp/wx-vendor/htmx.org-2.0.11/dist/htmx.min.js src/wenxiao/static/vendor/htmx/
	cp /tmp/wx-vendor/echarts-6.1.0/dist/echarts.min.js src/wenxiao/static/vendor/echarts/
	cp /tmp/wx-vendor/bootstrap-5.3.9/dist/css/bootstrap.min.css /tmp/wx-vendor/bootstrap-5.3.9/dist/js/bootstrap.bundle.min.js src/wenxiao/static/vendor/bootstrap/
	sed -i 's#/\*\# sourceMappingURL=.*\*/##' src/wenxiao/static/vendor/bootstrap/bootstrap.min.css
	sed -i 's#//\# sourceMappingURL=.*##' src/wenxiao/static/vendor/bootstrap/bootstrap.bundle.min.js

clean:
	rm -rf $(VENV) var

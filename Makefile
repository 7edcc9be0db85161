# Shangju: the two commands a newcomer needs.
#   make run   install what is missing, build, start the broker with a demo
#              and the public web front (http://localhost:8080/)
#   make test  install what is missing, build, run the whole suite
# Other targets: build, sanitize (ASan+UBSan build and suite), format,
# bench, bench-web (the web front under wrk), deps, clean.

BUILD      ?= build
SAN_BUILD  ?= build-asan
DATA       ?= var/shangju
# make run: where the web front listens and the base of the QR codes' URLs
# (a phone on the same network: WEB_LISTEN=0.0.0.0:8080
# PUBLIC_URL=http://<this machine's address>:8080).
WEB_LISTEN ?= 127.0.0.1:8080
PUBLIC_URL ?= http://localhost:8080
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
MAKEFLAGS  += --no-print-directory

# Debian 12 packages: RUN_PACKAGES build and run the broker (`make run`
# installs only these); TEST_PACKAGES add the test and benchmark tools
# (`make test`, `make sanitize`).
RUN_PACKAGES = build-essential cmake pkg-config \
           libzmq3-dev libprotobuf-c-dev protobuf-c-compiler \
           liblmdb-dev lmdb-utils libjson-c-dev libsodium-dev \
           libqrencode-dev libpng-dev libcairo2-dev libpango1.0-dev gettext \
           fonts-wqy-microhei tzdata help2man \
           libstrophe-dev libglib2.0-dev libmicrohttpd-dev libunistring-dev \
           libxml2-dev libssl-dev libcurl4-openssl-dev
TEST_PACKAGES = $(RUN_PACKAGES) check \
           zbar-tools libxml2-utils librsvg2-bin debhelper fakeroot \
           redis-server redis-tools jq shellcheck \
           prosody python3-slixmpp python3-prometheus-client
TEST_PACKAGES += chromium chromium-driver python3-selenium wrk curl  # web
TEST_PACKAGES += libgtk-4-dev libadwaita-1-dev libgsound-dev sound-theme-freedesktop \
            xvfb dbus at-spi2-core python3-pyatspi xdotool imagemagick \
            poppler-utils  # desk
TEST_PACKAGES += python3-cryptography  # wechat / wecom tests
PACKAGES = $(TEST_PACKAGES)

.PHONY: run test build build-run sanitize format bench bench-web deps run-deps clean

run: run-deps build-run
	@echo
	@echo "Starting the broker on $(DATA) and the web front on $(WEB_LISTEN) (Ctrl-C stops both)."
	@echo
	tools/run-demo.sh $(BUILD) $(DATA) $(WEB_LISTEN) $(PUBLIC_URL)

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)

# What `make run` needs: the programs, without the tests (no Check).
build-run:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    $$(dpkg-query -W -f='$${Status}' check 2>/dev/null | grep -q "ok installed" \
	        || echo -DSJ_TESTS=OFF)
	cmake --build $(BUILD) -j$(JOBS)

sanitize: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSJ_SANITIZE=ON
	cmake --build $(SAN_BUILD) -j$(JOBS)
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j$(JOBS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

bench: build
	./$(BUILD)/tests/shangju-bench

bench-web: deps build
	bash tests/bench/web_bench.sh $(BUILD)

# Install only what is missing; as root directly, otherwise through sudo.
run-deps:
	@$(MAKE) deps PACKAGES="$(RUN_PACKAGES)"

deps:
	@missing=""; for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" \
	        || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "Installing:$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$missing; \
	fi

clean:
	rm -rf $(BUILD) $(SAN_BUILD)

#!/usr/bin/env bash
# Build the .deb for Linux laptops from the one-folder bundle: /opt/counterdesk (the bundle), /usr/bin/counterdesk,
# a menu entry, and /etc/counterdesk/counterdesk.toml (the machine configuration, a conffile: kept on upgrade).
#   installer/build_deb.sh dist/counterdesk 0.1.0 dist/
set -euo pipefail
bundle=$1 version=$2 out=$3
arch=$(dpkg --print-architecture)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" "$root/etc/counterdesk"
cp -a "$bundle" "$root/opt/counterdesk"
ln -s /opt/counterdesk/counterdesk "$root/usr/bin/counterdesk"
cat > "$root/usr/share/applications/counterdesk.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=Counterdesk 臨櫃服務
Comment=區公所臨櫃收件（免附書證謄本）
Exec=/opt/counterdesk/counterdesk
Terminal=false
Categories=Office;
DESKTOP
cat > "$root/etc/counterdesk/counterdesk.toml" <<'TOML'
# Counterdesk 本機設定（資訊人員填寫；使用者僅能讀取）。可用項目：
# server = "https://counterdesk.city.gov.tw"   # 市府伺服器（未設定：已登記的伺服器，否則練習模式）
# office = "68000010"                         # 本機所屬機關代碼
# idle_lock_minutes = 10                      # 閒置幾分鐘後鎖定畫面（1～60）
# font_size = 11                              # 畫面字級（9～20）
TOML
chmod 0644 "$root/etc/counterdesk/counterdesk.toml"
echo /etc/counterdesk/counterdesk.toml > "$root/DEBIAN/conffiles"
size=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: counterdesk
Version: $version
Architecture: $arch
Maintainer: Counterdesk <it@counterdesk.invalid>
Installed-Size: $size
Depends: libegl1, libgl1, libfontconfig1, libfreetype6, libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-render-util0, libxcb-shape0, libxcb-xkb1, libx11-xcb1
Recommends: gnome-keyring
Section: misc
Priority: optional
Description: Counterdesk counter service for district offices (區公所臨櫃服務)
 Intake without paper certificates, an offline queue for village liaison laptops,
 receipts and the supervisor's day close. Keys and tokens live in the keyring
 (gnome-keyring's Secret Service on Linux).
CONTROL
mkdir -p "$out"
deb="$out/counterdesk_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
echo "$deb"

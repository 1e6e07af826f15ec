; Counterdesk — Windows installer (NSIS 3, Unicode). Per machine: Program Files, the machine configuration in
; %ProgramData%\Counterdesk (server and office; readable by clerks, writable by administrators only), a Start-menu
; entry, and an uninstaller that removes what it installed (never the clerks' ledgers, receipts or logs).
;
; makensis -DVERSION=0.1.0 -DBUNDLE=..\dist\counterdesk -DOUTFILE=..\dist\Counterdesk-0.1.0-setup.exe counterdesk.nsi
; Silent install by IT staff: Counterdesk-setup.exe /S /SERVER=https://counterdesk.city.gov.tw /OFFICE=68000010

Unicode true
!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef BUNDLE
  !define BUNDLE "..\dist\counterdesk"
!endif
!ifndef OUTFILE
  !define OUTFILE "Counterdesk-${VERSION}-setup.exe"
!endif
!ifndef EXE
  !define EXE "counterdesk.exe"
!endif

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Counterdesk"

Name "Counterdesk 臨櫃服務 ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\Counterdesk"
RequestExecutionLevel admin
!ifdef FAST
  SetCompressor zlib  ; the CI check of the script: seconds instead of minutes
!else
  SetCompressor /SOLID lzma
!endif

Var Server
Var Office

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "TradChinese"

Function .onInit
  SetShellVarContext all
  ${GetParameters} $R0
  ${GetOptions} $R0 "/SERVER=" $Server
  ${GetOptions} $R0 "/OFFICE=" $Office
FunctionEnd

Section "Counterdesk" SecMain
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE}\*.*"

  ; The machine configuration (desktop/config.py reads it; a user's own file may not override server or office).
  CreateDirectory "$APPDATA\Counterdesk"
  ${If} ${FileExists} "$APPDATA\Counterdesk\counterdesk.toml"
    DetailPrint "保留既有的本機設定檔 $APPDATA\Counterdesk\counterdesk.toml"
  ${Else}
    FileOpen $0 "$APPDATA\Counterdesk\counterdesk.toml" w
    FileWrite $0 "# Counterdesk 本機設定（安裝程式寫入；僅系統管理員可修改）$\r$\n"
    ${If} $Server != ""
      FileWrite $0 'server = "$Server"$\r$\n'
    ${EndIf}
    ${If} $Office != ""
      FileWrite $0 'office = "$Office"$\r$\n'
    ${EndIf}
    FileClose $0
  ${EndIf}
  ; Clerks may read it, not change it: inheritance off, Administrators and SYSTEM full, Users read.
  nsExec::Exec 'icacls "$APPDATA\Counterdesk\counterdesk.toml" /inheritance:r /grant:r *S-1-5-32-544:F *S-1-5-18:F *S-1-5-32-545:R'

  CreateDirectory "$SMPROGRAMS\Counterdesk"
  CreateShortcut "$SMPROGRAMS\Counterdesk\Counterdesk 臨櫃服務.lnk" "$INSTDIR\${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "Counterdesk 臨櫃服務"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "Counterdesk"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$SMPROGRAMS\Counterdesk\Counterdesk 臨櫃服務.lnk"
  RMDir "$SMPROGRAMS\Counterdesk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\counterdesk-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  ; The machine configuration goes; each clerk's ledger, receipts and logs (in their own profile) stay: they are
  ; the office's records until synced and kept.
  Delete "$APPDATA\Counterdesk\counterdesk.toml"
  RMDir "$APPDATA\Counterdesk"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd

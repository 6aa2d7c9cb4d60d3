@echo off
rem Swak launcher for Windows. JVM options: SWAK_JAVA_OPTS adds to the defaults below.
setlocal
set "SWAK_HOME=%~dp0.."
if exist "%SWAK_HOME%\lib" (set "LIB=%SWAK_HOME%\lib" & set "PLUGINS=%SWAK_HOME%\plugins") else (set "LIB=%SWAK_HOME%\swak-dist\target\lib" & set "PLUGINS=%SWAK_HOME%\swak-dist\target\plugins")
if not exist "%LIB%" (
  echo swak: no jars in %LIB%: build first with 'mvn -q -DskipTests package' 1>&2
  exit /b 1
)
set "JAVA=java"
if defined JAVA_HOME set "JAVA=%JAVA_HOME%\bin\java"
set "CDS="
if exist "%LIB%\swak.jsa" if /i not "%~1"=="cds" set "CDS=-XX:SharedArchiveFile=%LIB%\swak.jsa"
"%JAVA%" -XX:+UseSerialGC -Xms32m -Xmx256m -Xmn20m -XX:SurvivorRatio=2 -Xss512k -XX:+ExitOnOutOfMemoryError %CDS% %SWAK_JAVA_OPTS% -Dswak.home="%SWAK_HOME%" -Dswak.lib="%LIB%" -Dswak.plugins.dir="%PLUGINS%" -cp "%LIB%\*" io.swak.core.cli.Main %*

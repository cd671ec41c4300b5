# Makes a SYNTHETIC stop-smoking file from Trafford's published postcode list.
# These are not real people or real clinic records. The guide uses the file to show real output.
#
#   awk -f docs/examples/synthetic-stop-smoking.awk ../shared/data/trafford/postcodes/trafford_postcodes.csv > stop_smoking_synthetic.csv
#
# One client for every 8th postcode, and one more for every 3rd postcode in the M16, M31 and M32
# districts, so that the profile has a pattern to find. Five messy rows are added at the end.
BEGIN { FS = ","; print "client_id,postcode,channel" }
NR == 1 { next }
{
  pc = $1; district = substr(pc, 1, index(pc, " ") - 1)
  if (NR % 8 == 0) printf "C%05d,%s,%s\n", ++n, pc, (n % 2 ? "phone" : "web")
  if ((district == "M16" || district == "M31" || district == "M32") && NR % 3 == 0)
    printf "C%05d,%s,face to face\n", ++n, pc
}
END {
  printf "C%05d,,phone\n", ++n                 # no postcode
  printf "C%05d,NOT KNOWN,web\n", ++n          # not a postcode
  printf "C%05d,m41 0aa,phone\n", ++n          # lower case: matched as it is
  printf "C%05d,M41 OAB,phone\n", ++n          # letter O typed for zero: corrected
  printf "C%05d,M1 1AE,web\n", ++n             # a real postcode, but outside Trafford
}

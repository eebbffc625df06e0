#!/usr/bin/env bats
# qt-measure policy: rollouts over several manifests, --pcr, whole statements
# (Huawei Cloud IAM, AWS KMS key policy), Nitro's PCR3 from the IAM role.
load ../helpers/common

C5="$GOLD/outputs/c5_signed_p384.eif"
C1="$GOLD/outputs/c1_x86_1rd.eif"
C5_PCR0=8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263bfb99e76fbba081392837db934fa1131
C5_PCR8=cc5824781bb970c37a35a8aaaecb12b16c0f07c2030925060363a0d031a96b5e5dd907e08b3244f207366ce6d4ea80e1
C1_PCR0=031d723bfdf55dcee9eaff617901f444ba0ce27f17fbe4566ab30e9c4ec48e3e07e9b738bd6645b85dfcc8de365d0bfe
ROLE=arn:aws:iam::123456789012:role/enclave-parent

setup() {
	common_setup
	qt-measure manifest -o old.json "$C5"
	# the new build: c1 signed with the same key
	qt-sign "$C1" -o new.eif --key "$GOLD/inputs/key-p384.pem" --cert "$GOLD/inputs/cert-p384.pem" >/dev/null
	qt-measure manifest -o new.json new.eif
}

# SHA384(0^48 || text): PCR3/PCR4 of a parent identity, by openssl
extend_oracle() { { head -c 48 /dev/zero; printf '%s' "$1"; } | openssl dgst -sha384 -r | cut -c1-96; }

@test "qt-measure policy: a rollout allows the old and the new PCR0, one PCR8" {
	run -0 --separate-stderr qt-measure policy --profile qingtian old.json new.json
	assert_equal "$stderr" ""
	assert_output "{
  \"Condition\": {
    \"StringEqualsIgnoreCase\": {
      \"kms:RecipientAttestation/PCR0\": [
        \"$C5_PCR0\",
        \"$C1_PCR0\"
      ],
      \"kms:RecipientAttestation/PCR8\": [
        \"$C5_PCR8\"
      ]
    }
  }
}"
	run -0 --separate-stderr qt-measure policy --profile nitro --json=short old.json new.json
	assert_output "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation:ImageSha384\":[\"$C5_PCR0\",\"$C1_PCR0\"],\"kms:RecipientAttestation:PCR8\":\"$C5_PCR8\"}}}"
	# the same manifest twice: one value
	run -0 --separate-stderr qt-measure policy --profile nitro --json=short old.json old.json
	assert_output "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation:ImageSha384\":\"$C5_PCR0\",\"kms:RecipientAttestation:PCR8\":\"$C5_PCR8\"}}}"
}

@test "qt-measure policy: --pcr 8 alone: any image signed by this key" {
	run -0 --separate-stderr qt-measure policy --profile qingtian --pcr 8 --json=short old.json new.json
	assert_output "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/PCR8\":[\"$C5_PCR8\"]}}}"
	run -0 --separate-stderr qt-measure policy --profile nitro --pcr PCR8 --json=short old.json
	assert_output "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation:PCR8\":\"$C5_PCR8\"}}}"
	# nitro manifests hold PCR1 and PCR2: they can be asked for
	qt-measure manifest --profile nitro -o n.json "$C5"
	run -0 --separate-stderr qt-measure policy --profile nitro --pcr 2,0 --json=short n.json
	assert_output "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation:ImageSha384\":\"$C5_PCR0\",\"kms:RecipientAttestation:PCR2\":\"$(grep '"2": ' n.json | cut -d'"' -f4)\"}}}"
}

@test "qt-measure policy --statement: a Huawei Cloud IAM policy, defaults and options" {
	run -0 --separate-stderr qt-measure policy --profile qingtian --statement --json=short old.json
	assert_output "{\"Version\":\"1.1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"kms:cmk:decrypt\",\"kms:dek:decrypt\"],\"Resource\":\"*\",\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/PCR0\":[\"$C5_PCR0\"],\"kms:RecipientAttestation/PCR8\":[\"$C5_PCR8\"]}}}]}"
	run -0 --separate-stderr qt-measure policy --profile qingtian --statement --json=short \
	    --action kms:cmk:decrypt --resource 'KMS:*:*:KeyId:0d0466b0' --pcr 0 old.json
	assert_output "{\"Version\":\"1.1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"kms:cmk:decrypt\"],\"Resource\":[\"KMS:*:*:KeyId:0d0466b0\"],\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/PCR0\":[\"$C5_PCR0\"]}}}]}"
	# PCR3 and PCR4 from the parent's agency and ECS instance UUID
	run -0 --separate-stderr qt-measure policy --profile qingtian --json=short \
	    --iam-agency iam::0a1b2c3d:agency:kms-reader --instance-id 8B2D6C1E-6F0A-4C4E-9A51-2F3B9D0E7C11 old.json
	assert_output "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/PCR0\":[\"$C5_PCR0\"],\"kms:RecipientAttestation/PCR3\":[\"$(extend_oracle iam::0a1b2c3d:agency:kms-reader)\"],\"kms:RecipientAttestation/PCR4\":[\"$(extend_oracle 8b2d6c1e-6f0a-4c4e-9a51-2f3b9d0e7c11)\"],\"kms:RecipientAttestation/PCR8\":[\"$C5_PCR8\"]}}}"
}

@test "qt-measure policy --statement: an AWS KMS key policy statement; PCR3 is the parent's IAM role" {
	P3=$(extend_oracle "$ROLE")
	P4=$(extend_oracle i-0123456789abcdef0)
	run -0 --separate-stderr qt-measure policy --profile nitro --statement --iam-role "$ROLE" \
	    --instance-id i-0123456789abcdef0 old.json
	assert_output "{
  \"Sid\": \"AllowAttestedEnclave\",
  \"Effect\": \"Allow\",
  \"Principal\": {
    \"AWS\": \"$ROLE\"
  },
  \"Action\": [
    \"kms:Decrypt\"
  ],
  \"Resource\": \"*\",
  \"Condition\": {
    \"StringEqualsIgnoreCase\": {
      \"kms:RecipientAttestation:ImageSha384\": \"$C5_PCR0\",
      \"kms:RecipientAttestation:PCR3\": \"$P3\",
      \"kms:RecipientAttestation:PCR4\": \"$P4\",
      \"kms:RecipientAttestation:PCR8\": \"$C5_PCR8\"
    }
  }
}"
	# the role recorded in a nitro manifest: PCR3 and the default principal
	qt-measure manifest --profile nitro --iam-role "$ROLE" -o n.json "$C5"
	grep -q "\"3\": \"$P3\"" n.json
	grep -q "\"iam_role\": \"$ROLE\"" n.json
	run -0 --separate-stderr qt-measure policy --profile nitro --statement --json=short \
	    --principal arn:aws:iam::123456789012:role/kms-user --sid Rollout \
	    --action kms:Decrypt --action kms:GenerateDataKey n.json
	assert_output "{\"Sid\":\"Rollout\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:role/kms-user\"},\"Action\":[\"kms:Decrypt\",\"kms:GenerateDataKey\"],\"Resource\":\"*\",\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation:ImageSha384\":\"$C5_PCR0\",\"kms:RecipientAttestation:PCR3\":\"$P3\",\"kms:RecipientAttestation:PCR8\":\"$C5_PCR8\"}}}"
	run -0 --separate-stderr qt-measure policy --profile nitro --statement --json=short n.json
	assert_output --partial "\"Principal\":{\"AWS\":\"$ROLE\"}"
	# extend computes the same PCR3
	run -0 --separate-stderr qt-measure extend --iam-role "$ROLE" --json=short
	assert_output "{\"PCR\":\"$P3\"}"
}

@test "qt-measure policy: what cannot be pinned is refused (exit 2), nothing on stdout" {
	run -2 --separate-stderr qt-measure policy --profile qingtian --pcr 1 old.json
	assert_output ""
	assert_equal "$stderr" "qt-measure: --pcr: Huawei Cloud's condition keys name PCR0, PCR3, PCR4 and PCR8 only"
	run -2 --separate-stderr qt-measure policy --profile nitro --pcr 3 old.json
	assert_equal "$stderr" "qt-measure: old.json: holds no PCR3 to pin (give --iam-agency or --iam-role)"
	run -2 --separate-stderr qt-measure policy --profile nitro --statement old.json
	assert_equal "$stderr" "qt-measure: --statement: an AWS key policy statement needs a Principal: give --principal ARN (or --iam-role, the parent instance's role)"
	qt-measure manifest --profile nitro --iam-role "$ROLE" -o n.json "$C5"
	run -2 --separate-stderr qt-measure policy --profile nitro --iam-role arn:aws:iam::123456789012:role/other n.json
	assert_equal "$stderr" "qt-measure: n.json: its PCR3 contradicts --iam-role"
	run -2 --separate-stderr qt-measure manifest --profile nitro --iam-agency iam::0a1b:agency:x "$C5"
	assert_equal "$stderr" "qt-measure: --iam-agency: an agency URN is Huawei's (qingtian); on nitro PCR3 is the parent instance's IAM role: use --iam-role ARN"
	run -2 --separate-stderr qt-measure manifest --iam-role "$ROLE" "$C5"
	assert_equal "$stderr" "qt-measure: --iam-role: an IAM role ARN is AWS's (nitro); on qingtian PCR3 is the parent's IAM agency: use --iam-agency URN"
}

@test "qt-measure policy: usage errors exit 2 with one line" {
	first() { printf '%s' "${stderr%%$'\n'*}"; }
	run -2 --separate-stderr qt-measure policy --profile qingtian
	assert_equal "$(first)" "qt-measure: policy: expected at least one MANIFEST operand"
	run -2 --separate-stderr qt-measure policy --profile qingtian --pcr 0,x old.json
	assert_equal "$(first)" "qt-measure: --pcr: '0,x' is not a list of PCR numbers 0..31"
	run -2 --separate-stderr qt-measure policy --profile qingtian --pcr 32 old.json
	assert_equal "$(first)" "qt-measure: --pcr: '32' is not a list of PCR numbers 0..31"
	run -2 --separate-stderr qt-measure policy --profile qingtian --pcr 8,8 old.json
	assert_equal "$(first)" "qt-measure: --pcr: PCR8 given twice"
	run -2 --separate-stderr qt-measure policy --profile qingtian --pcr 0 --pcr 8 old.json
	assert_equal "$(first)" "qt-measure: --pcr given twice"
	run -2 --separate-stderr qt-measure policy --profile qingtian --action kms:cmk:decrypt old.json
	assert_equal "$(first)" "qt-measure: policy: --action, --resource, --principal and --sid shape a --statement"
	run -2 --separate-stderr qt-measure policy --profile qingtian --statement --principal "$ROLE" old.json
	assert_equal "$(first)" "qt-measure: policy: --principal and --sid are for an AWS key policy statement (--profile nitro)"
	run -2 --separate-stderr qt-measure policy --profile nitro --iam-agency iam::0a1b:agency:x old.json
	assert_equal "$(first)" "qt-measure: --iam-agency: an agency URN is Huawei's (qingtian); on nitro PCR3 is the parent instance's IAM role: use --iam-role ARN"
	run -2 --separate-stderr qt-measure policy --profile qingtian --iam-role "$ROLE" old.json
	assert_equal "$(first)" "qt-measure: --iam-role: an IAM role ARN is AWS's (nitro); on qingtian PCR3 is the parent's IAM agency: use --iam-agency URN"
	run -2 --separate-stderr qt-measure policy --profile nitro --iam-role arn:aws:iam::1:role/x old.json
	assert_equal "$(first)" "qt-measure: --iam-role: 'arn:aws:iam::1:role/x' is not an IAM role ARN 'arn:<partition>:iam::<12-digit account>:role/<name>'"
	run -2 --separate-stderr qt-measure policy --profile nitro --instance-id 8b2d6c1e-6f0a-4c4e-9a51-2f3b9d0e7c11 old.json
	[[ "$(first)" == "qt-measure: --instance-id: '8b2d6c1e-6f0a-4c4e-9a51-2f3b9d0e7c11' is not an instance id"* ]]
	run -2 --separate-stderr qt-measure policy --profile nitro --statement --resource '' --principal "$ROLE" old.json
	assert_equal "$(first)" "qt-measure: --resource: empty value"
}
